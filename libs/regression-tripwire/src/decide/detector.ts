import { normalCdf, studentTSurvival } from './stats.js';

/**
 * The regression detector: a pure function from (current window, baseline window, policy) to a
 * verdict. No I/O, no clock — the service feeds it the newest `window_events` and the
 * `baseline_events` before them, and acts on what it returns.
 *
 * Rules (docs/regression-tripwire.md, "The detector"):
 * - disabled policy → `disabled` (the figures are still computed, so an operator sees what it would say);
 * - fewer than `min_events` on either side → `insufficient_data`, never `ok`;
 * - rate = success share (success_rate) or mean of value (mean_value);
 * - drop = (baseline - current) / |baseline|; triggered when drop >= max_drop_fraction and, when
 *   `alpha` is set, the drop is significant at alpha.
 *
 * Choices made here, and why:
 * - The significance test is one-sided (H1: current < baseline): only a drop acts, so a rise must
 *   not spend the error budget. Two-proportion z-test (pooled) for success rates, Welch's t-test
 *   for values; "significant" means p < alpha.
 * - The denominator is |baseline|, so a negative baseline mean (a loss-making ROI) still reads
 *   "lower is worse" and a current window no worse than the baseline can never trigger.
 *   A zero baseline has no relative drop: if the current is not below it the drop is 0; if it is
 *   below, the relative drop is unbounded — reported as `drop: null` with reason
 *   `baseline_zero`, and it counts as exceeding any threshold (the significance test still applies).
 *   No division by zero, no NaN or Infinity ever leaves this function.
 * - The threshold is compared with a relative tolerance of 1e-9, so a drop of exactly 20% (e.g.
 *   0.95 → 0.76) meets a 0.20 threshold even though (0.95 - 0.76) / 0.95 is 0.19999999999999996
 *   in binary floating point.
 */

export type DetectorKind = 'success_rate' | 'mean_value';
export type DetectorStatus = 'ok' | 'triggered' | 'insufficient_data' | 'disabled';

export type DetectorReason =
  | 'policy_disabled'
  | 'insufficient_current_events'
  | 'insufficient_baseline_events'
  | 'drop_below_threshold'
  | 'drop_not_significant'
  | 'drop_exceeds_threshold'
  | 'drop_significant';

export interface DetectorPolicy {
  enabled: boolean;
  min_events: number;
  max_drop_fraction: number;
  /** null: the plain threshold; a number in (0, 1): the drop must also be significant at it. */
  alpha: number | null;
}

export interface DetectorInput {
  kind: DetectorKind;
  /** The newest window, as numbers (success: 1 or 0). Order does not matter. */
  current: readonly number[];
  /** The events before it. */
  baseline: readonly number[];
}

export interface Verdict {
  status: DetectorStatus;
  kind: DetectorKind;
  /** Baseline and current rate (success share or mean value); null when that side has no events. */
  baseline: number | null;
  current: number | null;
  /** (baseline - current) / |baseline|; null when it cannot be computed (a side is empty, or baseline is 0 and current below it). */
  drop: number | null;
  n_baseline: number;
  n_current: number;
  /** One-sided p-value of "current < baseline"; null when not computable (a side is empty, or fewer than 2 values for Welch). */
  p_value: number | null;
  /** Whether the drop meets the threshold (null: not computable). */
  exceeds_threshold: boolean | null;
  /** Whether the drop is significant at alpha (null: alpha not set or p not computable). */
  significant: boolean | null;
  reason: DetectorReason;
  /** One human sentence: why this status. */
  detail: string;
}

const THRESHOLD_TOLERANCE = 1e-9;

interface Summary {
  n: number;
  sum: number;
  mean: number;
  /** Sample variance (n - 1); 0 when n < 2. */
  variance: number;
}

function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) return { n, sum: 0, mean: NaN, variance: 0 };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n < 2) return { n, sum, mean, variance: 0 };
  // Two-pass with the compensation term: stable for values far from zero.
  let ss = 0;
  let comp = 0;
  for (const v of values) {
    const d = v - mean;
    ss += d * d;
    comp += d;
  }
  return { n, sum, mean, variance: Math.max(0, (ss - (comp * comp) / n) / (n - 1)) };
}

/** One-sided p-value of a pooled two-proportion z-test, H1: p_current < p_baseline. */
export function twoProportionPValue(successBaseline: number, nBaseline: number, successCurrent: number, nCurrent: number): number | null {
  if (nBaseline <= 0 || nCurrent <= 0) return null;
  const pb = successBaseline / nBaseline;
  const pc = successCurrent / nCurrent;
  const pooled = (successBaseline + successCurrent) / (nBaseline + nCurrent);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / nBaseline + 1 / nCurrent));
  // Every event on both sides the same outcome: no evidence of any difference.
  if (!(se > 0)) return 1;
  return normalCdf(-(pb - pc) / se);
}

/** One-sided p-value of Welch's t-test, H1: mean_current < mean_baseline; null with fewer than 2 values a side. */
export function welchPValue(baseline: Summary, current: Summary): number | null {
  if (baseline.n < 2 || current.n < 2) return null;
  const a = baseline.variance / baseline.n;
  const b = current.variance / current.n;
  const se = Math.sqrt(a + b);
  const diff = baseline.mean - current.mean;
  const scale = Math.max(Math.abs(baseline.mean), Math.abs(current.mean));
  // Both windows constant (up to rounding relative to their size): the answer is certain.
  if (!(se > 1e-12 * scale)) {
    return Math.abs(diff) <= 1e-12 * scale ? 1 : diff > 0 ? 0 : 1;
  }
  const df = (a + b) ** 2 / ((a * a) / (baseline.n - 1) + (b * b) / (current.n - 1));
  return studentTSurvival(diff / se, df);
}

function fmt(x: number | null): string {
  if (x === null) return 'n/a';
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential(2);
  return String(Math.round(x * 10000) / 10000);
}

export function detect(input: DetectorInput, policy: DetectorPolicy): Verdict {
  const b = summarize(input.baseline);
  const c = summarize(input.current);
  const baseline = b.n > 0 ? b.mean : null;
  const current = c.n > 0 ? c.mean : null;

  let drop: number | null = null;
  let exceeds: boolean | null = null;
  let zeroBaseline = false;
  if (baseline !== null && current !== null) {
    if (baseline === 0) {
      zeroBaseline = current < 0;
      drop = zeroBaseline ? null : 0;
      exceeds = zeroBaseline;
    } else {
      drop = (baseline - current) / Math.abs(baseline);
      exceeds = drop >= policy.max_drop_fraction - THRESHOLD_TOLERANCE;
    }
  }

  let pValue: number | null = null;
  if (b.n > 0 && c.n > 0) {
    pValue =
      input.kind === 'success_rate' ? twoProportionPValue(b.sum, b.n, c.sum, c.n) : welchPValue(b, c);
  }
  const significant = policy.alpha === null || pValue === null ? null : pValue < policy.alpha;

  const base = {
    kind: input.kind,
    baseline,
    current,
    drop,
    n_baseline: b.n,
    n_current: c.n,
    p_value: pValue,
    exceeds_threshold: exceeds,
    significant,
  };
  const figures = `baseline ${fmt(baseline)} (n=${b.n}), current ${fmt(current)} (n=${c.n}), drop ${zeroBaseline ? 'unbounded (baseline 0)' : fmt(drop)}`;

  if (!policy.enabled) {
    return { ...base, status: 'disabled', reason: 'policy_disabled', detail: `policy disabled; ${figures}` };
  }
  if (c.n < policy.min_events) {
    return { ...base, status: 'insufficient_data', reason: 'insufficient_current_events', detail: `${c.n} current events < min_events ${policy.min_events}` };
  }
  if (b.n < policy.min_events) {
    return { ...base, status: 'insufficient_data', reason: 'insufficient_baseline_events', detail: `${b.n} baseline events < min_events ${policy.min_events}` };
  }
  if (!exceeds) {
    return { ...base, status: 'ok', reason: 'drop_below_threshold', detail: `${figures} < ${policy.max_drop_fraction}` };
  }
  if (policy.alpha !== null && significant !== true) {
    return {
      ...base,
      status: 'ok',
      reason: 'drop_not_significant',
      detail: `${figures} >= ${policy.max_drop_fraction} but p ${fmt(pValue)} is not < alpha ${policy.alpha}`,
    };
  }
  return {
    ...base,
    status: 'triggered',
    reason: policy.alpha === null ? 'drop_exceeds_threshold' : 'drop_significant',
    detail:
      policy.alpha === null
        ? `${figures} >= ${policy.max_drop_fraction}`
        : `${figures} >= ${policy.max_drop_fraction}, p ${fmt(pValue)} < alpha ${policy.alpha}`,
  };
}
