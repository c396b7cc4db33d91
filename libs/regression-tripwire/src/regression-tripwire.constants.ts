import type { Principal } from '#platform';
import { REGRESSION_TRIPWIRE } from './regression-tripwire.lever.js';

export type RegressionAction = 'THROTTLE' | 'KILL_SWITCH' | 'ALERT';
export const REGRESSION_ACTIONS: readonly RegressionAction[] = ['THROTTLE', 'KILL_SWITCH', 'ALERT'];

export type RegressionStatus = 'never_evaluated' | 'ok' | 'triggered' | 'insufficient_data' | 'disabled';
export type ActionStatus = 'none' | 'pending' | 'done' | 'failed';

export const REGRESSION_EVENT_TYPES = ['status_changed', 'triggered', 'action_taken', 'action_failed', 'baseline_reset'] as const;
export type RegressionEventType = (typeof REGRESSION_EVENT_TYPES)[number];

/** Default significance level for new policies (chosen from `npm run bench:detector`, see docs/regression-tripwire.md, "False alarms vs detection"). */
export const DEFAULT_ALPHA = 0.005;
/** Defaults of a new policy: the newest 50 events against the 200 before them, at least 50 on each side. */
export const DEFAULT_WINDOW_EVENTS = 50;
export const DEFAULT_BASELINE_EVENTS = 200;
export const DEFAULT_MIN_EVENTS = 50;

/** A pending action not finished within this long (the evaluator died mid-way) may be retried by the next evaluation. */
export const STALE_CLAIM_MS = 60_000;

/** The principal the tripwire acts as when it throttles an engine or engages the kill switch. */
export const TRIPWIRE_PRINCIPAL: Principal = { tokenId: 'system', name: REGRESSION_TRIPWIRE.name, role: 'admin', engines: null, domains: null };

/** The audit subject (and policy-lock name) of one tripwire. */
export const subjectOf = (domain: string, metric: string): string => `${REGRESSION_TRIPWIRE.name}:${domain}/${metric}`;
