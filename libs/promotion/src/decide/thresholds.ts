import { PromotionInputError } from './types.js';

/** Thresholds and their defaults, as menace's DeploymentGovernor / evaluate_workflow. */
export interface PromotionPolicy {
  /** built-in rule: no_go `raroi_below_threshold` when raroi is absent or below (default 1.0) */
  raroi_threshold: number;
  /** built-in rule: no_go `confidence_below_threshold` when confidence is absent or below (default 0.7) */
  confidence_threshold: number;
  /** built-in rule: no_go `scenario_below_min` when the lowest scenario score is below (default 0.5) */
  scenario_score_min: number;
  /** micro-pilot trigger: sandbox_roi strictly below this (policy `sandbox_low`, else `sandbox_roi_low`, default 0.1) */
  sandbox_low: number;
  /** micro-pilot trigger: adapter_roi strictly above this (policy `adapter_high`, else `adapter_roi_high`, default 1.0) */
  adapter_high: number;
  /** no_go `variance_above_max` when the population variance of two or more scenario scores is above (default: off) */
  max_variance: number | null;
  /** no_go `<name>_below_min` for each named scenario whose score is below its minimum (default: none) */
  scenario_thresholds: ReadonlyArray<readonly [string, number]>;
}

export const DEFAULT_POLICY: PromotionPolicy = Object.freeze({
  raroi_threshold: 1.0,
  confidence_threshold: 0.7,
  scenario_score_min: 0.5,
  sandbox_low: 0.1,
  adapter_high: 1.0,
  max_variance: null,
  scenario_thresholds: [],
});

const THRESHOLD_KEYS = ['raroi_threshold', 'confidence_threshold', 'scenario_score_min', 'sandbox_roi_low', 'adapter_roi_high', 'sandbox_low', 'adapter_high'];
/** Keys menace's policy mapping may carry that this evaluator has no use for (foresight, the other `evaluate()`). */
const IGNORED_KEYS = ['roi_forecast_min', 'promote', 'demote', 'micro_pilot'];
/** menace merges these into its overrides without any signature; Warden never does. */
const UNSIGNED_OVERRIDE_KEYS = ['overrides', 'override_path', 'public_key_path'];

/**
 * Python's float() on what a policy or scenario score may hold: a number, or a string spelling one.
 * Returns null when it would raise.
 */
export function pyFloat(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
  return null;
}

/** Validates a policy mapping (YAML/JSON) and fills menace's defaults. */
export function parsePolicy(raw: unknown): PromotionPolicy {
  if (raw === undefined || raw === null) return DEFAULT_POLICY;
  const bad = (message: string, key?: string) => new PromotionInputError('invalid_policy', message, key ? { key } : {});
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad('a policy is a mapping of thresholds');
  const p = raw as Record<string, unknown>;
  for (const key of Object.keys(p)) {
    if (UNSIGNED_OVERRIDE_KEYS.includes(key)) {
      throw bad(`policy key ${key} is not accepted: override flags only come from a signed override file`, key);
    }
    if (![...THRESHOLD_KEYS, 'max_variance', 'scenario_thresholds', ...IGNORED_KEYS].includes(key)) throw bad(`unknown policy key ${key}`, key);
  }
  const num = (key: string, fallback: number): number => {
    if (!(key in p)) return fallback;
    const v = pyFloat(p[key]);
    if (v === null || Number.isNaN(v)) throw bad(`${key} must be a number`, key);
    return v;
  };
  const sandboxRoiLow = num('sandbox_roi_low', DEFAULT_POLICY.sandbox_low);
  const adapterRoiHigh = num('adapter_roi_high', DEFAULT_POLICY.adapter_high);

  let maxVariance: number | null = null;
  if (p.max_variance !== undefined && p.max_variance !== null) maxVariance = num('max_variance', 0);

  const thresholds: [string, number][] = [];
  const st = p.scenario_thresholds;
  if (st !== undefined && st !== null) {
    if (typeof st !== 'object' || Array.isArray(st)) throw bad('scenario_thresholds must map scenario names to minimum scores', 'scenario_thresholds');
    for (const [name, value] of Object.entries(st)) {
      const v = pyFloat(value);
      if (v === null || Number.isNaN(v)) throw bad(`scenario_thresholds.${name} must be a number`, 'scenario_thresholds');
      thresholds.push([name, v]);
    }
  }
  return {
    raroi_threshold: num('raroi_threshold', DEFAULT_POLICY.raroi_threshold),
    confidence_threshold: num('confidence_threshold', DEFAULT_POLICY.confidence_threshold),
    scenario_score_min: num('scenario_score_min', DEFAULT_POLICY.scenario_score_min),
    // menace: policy.get("sandbox_low", sandbox_roi_low)
    sandbox_low: num('sandbox_low', sandboxRoiLow),
    adapter_high: num('adapter_high', adapterRoiHigh),
    max_variance: maxVariance,
    scenario_thresholds: thresholds,
  };
}

/**
 * Python's sum() of floats: since 3.12 it uses Neumaier compensated summation, so a variance at a
 * boundary compares the same way as in menace on a current Python.
 */
export function pySum(values: readonly number[]): number {
  let sum = 0;
  let c = 0;
  for (const x of values) {
    const t = sum + x;
    c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return c !== 0 && Number.isFinite(c) ? sum + c : sum;
}

/** Population variance (divides by n), as menace; null for fewer than two scores. */
export function populationVariance(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const mean = pySum(values) / values.length;
  return pySum(values.map((v) => (v - mean) * (v - mean))) / values.length;
}

/** The micro-pilot trigger: both ROIs known, sandbox strictly below its low mark, adapter strictly above its high mark. */
export function microPilotTriggered(sandboxRoi: number | null, adapterRoi: number | null, policy: PromotionPolicy): boolean {
  return sandboxRoi !== null && adapterRoi !== null && sandboxRoi < policy.sandbox_low && adapterRoi > policy.adapter_high;
}

/** `<name>_below_min` for each policy scenario threshold the scorecard misses, in the policy's order; a scenario the scorecard lacks passes. */
export function scenariosBelowMin(scores: ReadonlyMap<string, number>, policy: PromotionPolicy): string[] {
  return policy.scenario_thresholds.filter(([name, min]) => (scores.get(name) ?? Infinity) < min).map(([name]) => `${name}_below_min`);
}
