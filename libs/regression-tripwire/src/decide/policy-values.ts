import { DEFAULT_ALPHA, DEFAULT_BASELINE_EVENTS, DEFAULT_MIN_EVENTS, DEFAULT_WINDOW_EVENTS, type RegressionAction } from '../regression-tripwire.constants.js';

export interface PolicyValues {
  domain: string;
  metric: string;
  enabled: boolean;
  window_events: number;
  baseline_events: number;
  min_events: number;
  max_drop_fraction: number;
  action: RegressionAction;
  target_engine: string;
  alpha: number | null;
}

/** A change as asked: undefined keeps the current value (or the default of a new policy); alpha null is a value. */
export type PolicyChangeInput = Pick<PolicyValues, 'domain' | 'metric'> & Partial<Omit<PolicyValues, 'domain' | 'metric' | 'alpha'>> & { alpha?: number | null };

/**
 * The policy a change leaves: given fields, else the current ones, else the defaults of a new
 * policy (disabled, 50 vs 200 events, min 50, target engine = the domain, DEFAULT_ALPHA). A new
 * policy's max_drop_fraction and action are checked present before (policy_incomplete).
 * Returns a problem when min_events exceeds a window: the tripwire could never leave insufficient_data.
 */
export function mergePolicy(input: PolicyChangeInput, before: PolicyValues | undefined): { values: PolicyValues } | { problem: string } {
  const values: PolicyValues = {
    domain: input.domain,
    metric: input.metric,
    enabled: input.enabled ?? before?.enabled ?? false,
    window_events: input.window_events ?? before?.window_events ?? DEFAULT_WINDOW_EVENTS,
    baseline_events: input.baseline_events ?? before?.baseline_events ?? DEFAULT_BASELINE_EVENTS,
    min_events: input.min_events ?? before?.min_events ?? DEFAULT_MIN_EVENTS,
    max_drop_fraction: (input.max_drop_fraction ?? before?.max_drop_fraction)!,
    action: (input.action ?? before?.action)!,
    target_engine: input.target_engine ?? before?.target_engine ?? input.domain,
    alpha: input.alpha === undefined ? (before ? before.alpha : DEFAULT_ALPHA) : input.alpha,
  };
  if (values.min_events > values.window_events || values.min_events > values.baseline_events) {
    return {
      problem: `min_events (${values.min_events}) must not exceed window_events (${values.window_events}) nor baseline_events (${values.baseline_events}): the tripwire could never leave insufficient_data`,
    };
  }
  return { values };
}
