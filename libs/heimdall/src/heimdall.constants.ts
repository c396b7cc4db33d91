import { HEIMDALL } from './heimdall.lever.js';

/** The daily scorecard close (see heimdall.jobs.ts). */
export const SCORECARD_CLOSE_JOB = `${HEIMDALL.name}.scorecard_close`;

/** What a new policy gets for the fields it may leave out: no production use, a window of today only. */
export const POLICY_DEFAULTS = { prod_use_enabled: false, window_days: 1 } as const;

/** The fields a new domain's policy must state. */
export const POLICY_REQUIRED_TO_CREATE = ['min_confidence', 'min_trials', 'min_success_rate'] as const;

/** The audit subject (and upsert lock name) of a domain's policy. */
export const policySubject = (domain: string): string => `heimdall.policy:${domain}`;
