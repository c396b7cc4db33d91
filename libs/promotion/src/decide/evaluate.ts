import { BUILTIN_RULE_SET, type CompiledRule, type RuleSet, type RuleVariables } from './rules.js';
import { microPilotTriggered, parsePolicy, populationVariance, pyFloat, scenariosBelowMin, type PromotionPolicy } from './thresholds.js';
import type { VerifiedOverride } from './override.js';
import { isVerdict, PromotionInputError, pyTruthy, type TraceEntry, type Verdict } from './types.js';

export interface PromotionInput {
  /** `alignment_status`, `security_status`, `raroi`, `confidence`, `sandbox_roi`, `adapter_roi`, `scenario_scores` */
  scorecard: unknown;
  /** thresholds (menace's `policy` mapping); defaults when absent */
  policy?: unknown;
  /** a compiled rule file (file rules + built-ins); the built-ins alone when absent */
  rules?: RuleSet;
  /** only a signature-checked override is accepted */
  override?: VerifiedOverride | null;
}

export interface PromotionResult {
  verdict: Verdict;
  reason_codes: string[];
  /** the override's data (plus `override_path`) and `mode: "micro-pilot"` when the micro-pilot decided */
  overrides: Record<string, unknown>;
  trace: TraceEntry[];
}

/** Reason for a verdict that a failing rule condition kept from being `promote`. */
export const RULE_EVALUATION_ERROR = 'rule_evaluation_error';

/** The scorecard's own fields (and their aliases): a scorecard with none of them is not a scorecard. */
const SCORECARD_FIELDS = ['alignment_status', 'alignment', 'security_status', 'security', 'raroi', 'confidence', 'sandbox_roi', 'adapter_roi', 'scenario_scores'];

/** Rule variables that come from the scorecard; the others are thresholds. */
const SCORECARD_METRICS: ReadonlySet<string> = new Set(['raroi', 'confidence', 'min_scenario', 'score_variance', 'sandbox_roi', 'adapter_roi']);

interface Card {
  alignment: string;
  security: string;
  raroi: number | null;
  confidence: number | null;
  sandbox_roi: number | null;
  adapter_roi: number | null;
  scores: Map<string, number>;
}

/**
 * menace reads a status as `card.get("alignment_status") or card.get("alignment")`, takes
 * `.get("status", "pass")` of a mapping and str() of anything else; absent (or empty) is "pass".
 */
function status(card: Record<string, unknown>, key: string, alias: string): string {
  const v = pyTruthy(card[key]) ? card[key] : card[alias];
  if (!pyTruthy(v)) return 'pass';
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const s = 'status' in v ? (v as { status: unknown }).status : 'pass';
    return typeof s === 'string' ? s : s === null ? 'None' : JSON.stringify(s);
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function readCard(raw: unknown): Card {
  const bad = (message: string, field?: string) => new PromotionInputError('invalid_scorecard', message, field ? { field } : {});
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('a scorecard is a mapping');
  const card = raw as Record<string, unknown>;
  if (!SCORECARD_FIELDS.some((f) => card[f] !== undefined && card[f] !== null)) {
    throw bad(`a scorecard has at least one of ${SCORECARD_FIELDS.join(', ')}; this one has none`);
  }
  const num = (field: string): number | null => {
    const v = card[field];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${field} must be a number or null`, field);
    return v;
  };
  const scores = new Map<string, number>();
  const ss = card.scenario_scores;
  if (ss !== undefined && ss !== null) {
    if (typeof ss !== 'object' || Array.isArray(ss)) throw bad('scenario_scores must map scenario names to scores', 'scenario_scores');
    for (const [name, value] of Object.entries(ss)) {
      const v = pyFloat(value);
      if (v === null || !Number.isFinite(v)) throw bad(`scenario_scores.${name} must be a number`, 'scenario_scores');
      scores.set(name, v);
    }
  }
  return {
    alignment: status(card, 'alignment_status', 'alignment'),
    security: status(card, 'security_status', 'security'),
    raroi: num('raroi'),
    confidence: num('confidence'),
    sandbox_roi: num('sandbox_roi'),
    adapter_roi: num('adapter_roi'),
    scores,
  };
}

/**
 * The promotion verdict, in menace's order (evaluate_workflow -> DeploymentGovernor.evaluate):
 *  1. alignment, then security veto: demote (`alignment_veto`, `security_veto`);
 *  2. micro-pilot trigger, unless the override bypasses it: pilot (`micro_pilot`, mode micro-pilot);
 *  3. population variance of 2+ scenario scores above max_variance: no_go (`variance_above_max`);
 *  4. named scenario scores below their minimums: no_go (`<name>_below_min`, every one);
 *  5. rules, file rules before the built-ins, first truthy condition decides (built-ins end in promote);
 *  then a signed forced verdict replaces the verdict and appends `manual_override`.
 * A condition that fails because it names a metric the scorecard lacks (Python's `None < 0.1`)
 * does not match, as in menace, and the trace names the metric. Any other evaluation failure
 * (wrong types, a budget overrun) does not fire either, but if a failed rule that could have
 * stopped it was passed on the way to a promote, the verdict is no_go (`rule_evaluation_error`):
 * nothing is promoted because a rule could not be read.
 */
export function evaluatePromotion(input: PromotionInput): PromotionResult {
  const card = readCard(input.scorecard);
  const policy: PromotionPolicy = parsePolicy(input.policy);
  const ruleSet = input.rules ?? BUILTIN_RULE_SET;
  const data = input.override?.data ?? {};
  const bypass = pyTruthy(data.bypass_micro_pilot);
  const trace: TraceEntry[] = [];
  const modeOverride: Record<string, unknown> = {};

  const decide = (): { verdict: Verdict; reasons: string[] } => {
    const vetoes: string[] = [];
    for (const [step, value] of [['alignment_veto', card.alignment], ['security_veto', card.security]] as const) {
      const veto = value.toLowerCase() !== 'pass';
      trace.push({ step, status: value, result: veto ? 'veto' : 'pass' });
      if (veto) vetoes.push(step);
    }
    if (vetoes.length) return { verdict: 'demote', reasons: vetoes };

    const values = [...card.scores.values()];
    const minScenario = values.length ? Math.min(...values) : null;
    const variance = populationVariance(values);

    const pilot = !bypass && microPilotTriggered(card.sandbox_roi, card.adapter_roi, policy);
    trace.push({
      step: 'micro_pilot',
      sandbox_roi: card.sandbox_roi,
      adapter_roi: card.adapter_roi,
      sandbox_low: policy.sandbox_low,
      adapter_high: policy.adapter_high,
      result: bypass ? 'bypassed' : pilot ? 'pilot' : 'not_triggered',
    });
    if (pilot) {
      modeOverride.mode = 'micro-pilot';
      return { verdict: 'pilot', reasons: ['micro_pilot'] };
    }

    const varianceHigh = policy.max_variance !== null && variance !== null && variance > policy.max_variance;
    trace.push({
      step: 'variance',
      variance,
      max_variance: policy.max_variance,
      result: policy.max_variance === null || variance === null ? 'skipped' : varianceHigh ? 'no_go' : 'ok',
    });
    if (varianceHigh) return { verdict: 'no_go', reasons: ['variance_above_max'] };

    const checkScenarios = policy.scenario_thresholds.length > 0 && card.scores.size > 0;
    const below = checkScenarios ? scenariosBelowMin(card.scores, policy) : [];
    trace.push({ step: 'scenario_thresholds', below_min: below, result: !checkScenarios ? 'skipped' : below.length ? 'no_go' : 'ok' });
    if (below.length) return { verdict: 'no_go', reasons: below };

    const vars: RuleVariables = {
      raroi: card.raroi,
      confidence: card.confidence,
      min_scenario: minScenario,
      score_variance: variance,
      sandbox_roi: card.sandbox_roi,
      adapter_roi: card.adapter_roi,
      alignment_status: card.alignment,
      security_status: card.security,
      raroi_threshold: policy.raroi_threshold,
      confidence_threshold: policy.confidence_threshold,
      scenario_score_min: policy.scenario_score_min,
      sandbox_roi_low: policy.sandbox_low,
      adapter_roi_high: policy.adapter_high,
      max_variance: policy.max_variance,
    };
    return runRules(ruleSet, vars, bypass, trace, modeOverride);
  };

  const { verdict: decided, reasons } = decide();
  let verdict = decided;

  // menace: `overrides.get("verdict") or overrides.get("forced_verdict")`, applied whatever decided above.
  const forced = pyTruthy(data.verdict) ? data.verdict : data.forced_verdict;
  const hasForced = pyTruthy(forced);
  if (isVerdict(forced)) {
    verdict = forced;
    if (!reasons.includes('manual_override')) reasons.push('manual_override');
  }
  if (input.override) {
    trace.push({
      step: 'override',
      bypass_micro_pilot: bypass,
      forced_verdict: hasForced ? (typeof forced === 'string' ? forced : JSON.stringify(forced)) : null,
      result: isVerdict(forced) ? 'applied' : hasForced ? 'ignored_unknown_verdict' : 'none',
    });
  }

  const overrides: Record<string, unknown> = { ...data };
  if (input.override?.source !== undefined) overrides.override_path = input.override.source;
  Object.assign(overrides, modeOverride);
  return { verdict, reason_codes: reasons, overrides, trace };
}

function runRules(
  ruleSet: RuleSet,
  vars: RuleVariables,
  bypass: boolean,
  trace: TraceEntry[],
  modeOverride: Record<string, unknown>,
): { verdict: Verdict; reasons: string[] } {
  const failed: number[] = [];
  for (const [index, rule] of ruleSet.rules.entries()) {
    const entry = (result: 'fired' | 'false' | 'error' | 'bypassed' | 'missing_metric', error?: string, missing?: string[]): TraceEntry => ({
      step: 'rule',
      index,
      source: rule.source,
      decision: rule.decision,
      reason_code: rule.reasonCode,
      condition: rule.condition,
      result,
      ...(error !== undefined ? { error } : {}),
      ...(missing !== undefined ? { missing } : {}),
    });
    // menace drops micro_pilot rules from the list when the trigger is bypassed
    if (bypass && rule.reasonCode === 'micro_pilot') {
      trace.push(entry('bypassed'));
      continue;
    }
    let fired: boolean;
    try {
      fired = test(rule, vars);
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      const missing = missingMetrics(rule, vars, err, message);
      if (missing.length) {
        trace.push(entry('missing_metric', message, missing));
        continue;
      }
      trace.push(entry('error', message));
      if (rule.decision !== 'promote') failed.push(index);
      continue;
    }
    trace.push(entry(fired ? 'fired' : 'false'));
    if (!fired) continue;
    if (rule.decision === 'promote' && failed.length) {
      trace.push({ step: 'rule_evaluation_error', rules: failed, result: 'no_go' });
      return { verdict: 'no_go', reasons: [RULE_EVALUATION_ERROR] };
    }
    if (rule.reasonCode === 'micro_pilot') modeOverride.mode = 'micro-pilot';
    return { verdict: rule.decision, reasons: rule.reasonCode ? [rule.reasonCode] : [] };
  }
  // Unreachable with the built-ins (their last rule is `True`), kept as menace's initial verdict.
  return { verdict: 'no_go', reasons: failed.length ? [RULE_EVALUATION_ERROR] : [] };
}

/**
 * The scorecard metrics a failed condition names and the scorecard lacks, when the failure is
 * theirs: an operation on a null operand (CEL "no such overload: dyn<null> ...", a py_* helper's
 * "NoneType"). Empty for any other failure: a string compared with a number, a budget overrun.
 */
function missingMetrics(rule: CompiledRule, vars: RuleVariables, err: unknown, message: string): string[] {
  if (err instanceof RangeError || !/\bnull\b|NoneType/.test(message)) return [];
  return rule.names.filter((n) => SCORECARD_METRICS.has(n) && vars[n as keyof RuleVariables] === null);
}

function test(rule: CompiledRule, vars: RuleVariables): boolean {
  const result = rule.test(vars);
  if (typeof result !== 'boolean') throw new TypeError(`condition yielded ${typeof result}, not a bool`);
  return result;
}
