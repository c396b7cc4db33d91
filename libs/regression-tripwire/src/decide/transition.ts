import type { DetectorStatus } from './detector.js';
import type { ActionStatus, RegressionStatus } from '../regression-tripwire.constants.js';

export interface PreviousState {
  status: RegressionStatus;
  trigger_count: number;
  action_status: ActionStatus;
  action_claimed_at: Date | null;
}

export interface Transition {
  /** This evaluation moves the tripwire into `triggered`: a new trigger whose action must run once. */
  entering: boolean;
  /** Still triggered, and the last action failed or its claim went stale: this evaluation runs it again. */
  retry: boolean;
  triggerCount: number;
}

/**
 * What a verdict does to the state: only the transition into `triggered` (or a retry of a failed or
 * abandoned action) acts; staying triggered never acts again. `staleAfterMs`: a pending action not
 * finished within this long (the evaluator died mid-way) may be claimed again.
 */
export function transition(prev: PreviousState, status: DetectorStatus, now: Date, staleAfterMs: number): Transition {
  const triggered = status === 'triggered';
  const entering = triggered && prev.status !== 'triggered';
  const stale = prev.action_status === 'pending' && (!prev.action_claimed_at || now.getTime() - new Date(prev.action_claimed_at).getTime() > staleAfterMs);
  const retry = triggered && !entering && (prev.action_status === 'failed' || stale);
  return { entering, retry, triggerCount: prev.trigger_count + (entering ? 1 : 0) };
}
