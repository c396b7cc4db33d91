import { evaluatePromotion, RULE_EVALUATION_ERROR, type PromotionInput } from './evaluate.js';
import { verifyOverride } from './override.js';
import { signOverrideData } from './override.js';
import { compileRules } from './rules.js';
import { PromotionInputError } from './types.js';

const KEY = 'secret';
const signed = (data: Record<string, unknown>, source?: string) =>
  verifyOverride(JSON.stringify({ data, signature: signOverrideData(data, KEY) }), KEY, source ? { source } : {});

/** menace's test scorecard: passes every built-in rule. */
const BASE = { scenario_scores: { s: 0.8 }, alignment_status: 'pass', raroi: 1.2, confidence: 0.8 };
const evaluate = (scorecard: Record<string, unknown>, rest: Omit<PromotionInput, 'scorecard'> = {}) => evaluatePromotion({ scorecard, ...rest });
const verdictOf = (scorecard: Record<string, unknown>, rest: Omit<PromotionInput, 'scorecard'> = {}) => {
  const r = evaluate(scorecard, rest);
  return [r.verdict, r.reason_codes];
};

// menace's config/deployment_governance.yaml rules, as its tests load them
const MENACE_CONFIG_RULES = compileRules([
  { decision: 'promote', condition: 'raroi > 2.0 and confidence > 0.9 and min_scenario >= 0.5', reason_code: 'strong_candidate' },
  { decision: 'pilot', condition: 'sandbox_roi < 0.1 and adapter_roi >= 1.0', reason_code: 'micro_pilot' },
  { decision: 'demote', condition: 'confidence is not None and confidence < 0.2', reason_code: 'low_confidence' },
  { decision: 'no_go', condition: 'raroi is not None and raroi < 0.2', reason_code: 'poor_raroi' },
]);

describe("menace's own scenarios (tests/test_deployment_governance*.py)", () => {
  it('test_promotion / test_basic_evaluation: promote with no reasons', () => {
    expect(verdictOf(BASE)).toEqual(['promote', []]);
  });

  it('test_demotion: a file rule demotes (policy_demote)', () => {
    const rules = compileRules([{ decision: 'demote', condition: 'confidence < 0.5', reason_code: 'policy_demote' }]);
    expect(verdictOf({ ...BASE, confidence: 0.4, sandbox_roi: 1.0, adapter_roi: 1.0 }, { rules })).toEqual(['demote', ['policy_demote']]);
  });

  it('test_micro_pilot: pilot, micro_pilot, overrides.mode micro-pilot', () => {
    const r = evaluate({ ...BASE, raroi: 1.5, confidence: 0.9, sandbox_roi: 0.05, adapter_roi: 1.2 });
    expect([r.verdict, r.reason_codes, r.overrides]).toEqual(['pilot', ['micro_pilot'], { mode: 'micro-pilot' }]);
  });

  it('test_veto: alignment fail demotes with alignment_veto', () => {
    expect(verdictOf({ ...BASE, alignment_status: 'fail' })).toEqual(['demote', ['alignment_veto']]);
  });

  it('test_manual_override / test_honours_override_file: a signed verdict forces promote over raroi_below_threshold', () => {
    const r = evaluate({ ...BASE, raroi: 0.2 }, { override: signed({ verdict: 'promote' }, '/tmp/override.json') });
    expect(r.verdict).toBe('promote');
    expect(r.reason_codes).toEqual(['raroi_below_threshold', 'manual_override']);
    expect(r.overrides).toEqual({ verdict: 'promote', override_path: '/tmp/override.json' });
  });

  it('test_no_go_when_raroi_low / confidence_low / scenario_low', () => {
    expect(verdictOf({ ...BASE, raroi: 0.2, confidence: 0.9 })).toEqual(['no_go', ['raroi_below_threshold']]);
    expect(verdictOf({ ...BASE, confidence: 0.2 })).toEqual(['no_go', ['confidence_below_threshold']]);
    expect(verdictOf({ ...BASE, scenario_scores: { s: 0.2 } })).toEqual(['no_go', ['scenario_below_min']]);
  });

  it('test_override_path_nested_bypasses_micro_pilot: bypass skips the trigger and the micro_pilot file rule', () => {
    const r = evaluate(
      { ...BASE, raroi: 1.5, confidence: 0.9, sandbox_roi: 0.05, adapter_roi: 1.2 },
      { rules: MENACE_CONFIG_RULES, override: signed({ bypass_micro_pilot: true }, 'o.json') },
    );
    expect([r.verdict, r.reason_codes]).toEqual(['promote', []]);
    expect(r.overrides).toEqual({ bypass_micro_pilot: true, override_path: 'o.json' });
    expect(r.trace.find((t) => t.step === 'rule' && t.reason_code === 'micro_pilot')).toMatchObject({ result: 'bypassed' });
  });

  it("menace's config rules: strong_candidate, low_confidence and poor_raroi fire first", () => {
    const full = { ...BASE, sandbox_roi: 0.5, adapter_roi: 0.5 };
    expect(verdictOf({ ...full, raroi: 2.5, confidence: 0.95 }, { rules: MENACE_CONFIG_RULES })).toEqual(['promote', ['strong_candidate']]);
    expect(verdictOf({ ...full, confidence: 0.1 }, { rules: MENACE_CONFIG_RULES })).toEqual(['demote', ['low_confidence']]);
    expect(verdictOf({ ...full, raroi: 0.1 }, { rules: MENACE_CONFIG_RULES })).toEqual(['no_go', ['poor_raroi']]);
  });
});

describe('order: each step on its own', () => {
  it('1. vetoes: alignment, then security; both reported; an absent or empty status is pass; case-insensitive', () => {
    expect(verdictOf({ ...BASE, security_status: 'fail' })).toEqual(['demote', ['security_veto']]);
    expect(verdictOf({ ...BASE, alignment_status: 'fail', security_status: 'fail' })).toEqual(['demote', ['alignment_veto', 'security_veto']]);
    expect(verdictOf({ raroi: 1.2, confidence: 0.8 })).toEqual(['promote', []]);
    expect(verdictOf({ ...BASE, alignment_status: 'PASS', security_status: 'Pass' })).toEqual(['promote', []]);
    expect(verdictOf({ ...BASE, alignment_status: '', alignment: 'fail' })).toEqual(['demote', ['alignment_veto']]);
    expect(verdictOf({ ...BASE, alignment_status: { status: 'fail' } })).toEqual(['demote', ['alignment_veto']]);
    expect(verdictOf({ ...BASE, alignment_status: { score: 1 } })).toEqual(['promote', []]);
    expect(verdictOf({ ...BASE, alignment_status: null, security_status: null })).toEqual(['promote', []]);
    // the veto comes before everything, even a micro-pilot trigger
    expect(verdictOf({ ...BASE, alignment_status: 'fail', sandbox_roi: 0, adapter_roi: 9 })).toEqual(['demote', ['alignment_veto']]);
  });

  it('2. micro-pilot comes before variance, scenario minimums and rules', () => {
    const rules = compileRules([{ decision: 'demote', condition: 'True', reason_code: 'always' }]);
    const card = { ...BASE, raroi: 0, scenario_scores: { a: 0, b: 1 }, sandbox_roi: 0.05, adapter_roi: 1.2 };
    expect(verdictOf(card, { rules, policy: { max_variance: 0.01, scenario_thresholds: { a: 0.5 } } })).toEqual(['pilot', ['micro_pilot']]);
  });

  it('3. variance comes before scenario minimums', () => {
    const card = { ...BASE, scenario_scores: { a: 0, b: 1 } };
    expect(verdictOf(card, { policy: { max_variance: 0.2, scenario_thresholds: { a: 0.5 } } })).toEqual(['no_go', ['variance_above_max']]);
  });

  it('4. scenario minimums come before rules and list every failing scenario in policy order', () => {
    const rules = compileRules([{ decision: 'promote', condition: 'True', reason_code: 'always' }]);
    const card = { ...BASE, scenario_scores: { a: 0.1, b: 0.2, c: 0.9 } };
    expect(verdictOf(card, { rules, policy: { scenario_thresholds: { b: 0.5, c: 0.5, a: 0.5, missing: 9 } } })).toEqual(['no_go', ['b_below_min', 'a_below_min']]);
  });

  it('5. rules: file rules come before the built-ins; first truthy wins; reason defaults to the decision', () => {
    const rules = compileRules([
      { decision: 'pilot', condition: 'raroi > 5' },
      { decision: 'pilot', condition: 'raroi < 0.5' },
      { decision: 'demote', condition: 'raroi < 0.5', reason_code: 'never_reached' },
    ]);
    expect(verdictOf({ ...BASE, raroi: 0.3 }, { rules })).toEqual(['pilot', ['pilot']]);
    expect(verdictOf({ ...BASE, raroi: 0.7 }, { rules })).toEqual(['no_go', ['raroi_below_threshold']]);
    const r = evaluate({ ...BASE, raroi: 0.3 }, { rules });
    expect(r.trace.filter((t) => t.step === 'rule').map((t) => t.step === 'rule' && `${t.source}:${t.result}`)).toEqual(['file:false', 'file:fired']);
  });

  it('a file rule with reason micro_pilot sets the micro-pilot mode', () => {
    const rules = compileRules([{ decision: 'pilot', condition: 'adapter_roi >= 1.0', reason_code: 'micro_pilot' }]);
    expect(evaluate({ ...BASE, adapter_roi: 1.0, sandbox_roi: 0.5 }, { rules }).overrides).toEqual({ mode: 'micro-pilot' });
  });

  it('default: promote with no reason codes', () => {
    expect(verdictOf({ raroi: 1, confidence: 0.7 })).toEqual(['promote', []]);
  });
});

describe('thresholds at, below and above their boundaries (menace defaults)', () => {
  it('raroi_threshold 1.0: below is no_go, at and above promote; absent is no_go', () => {
    expect(verdictOf({ ...BASE, raroi: 0.999 })[0]).toBe('no_go');
    expect(verdictOf({ ...BASE, raroi: 1.0 })[0]).toBe('promote');
    expect(verdictOf({ ...BASE, raroi: 1.001 })[0]).toBe('promote');
    expect(verdictOf({ ...BASE, raroi: null })).toEqual(['no_go', ['raroi_below_threshold']]);
    expect(verdictOf({ ...BASE, raroi: 1.5 }, { policy: { raroi_threshold: 1.5 } })[0]).toBe('promote');
    expect(verdictOf({ ...BASE, raroi: 1.4 }, { policy: { raroi_threshold: 1.5 } })[0]).toBe('no_go');
  });

  it('confidence_threshold 0.7', () => {
    expect(verdictOf({ ...BASE, confidence: 0.699 })).toEqual(['no_go', ['confidence_below_threshold']]);
    expect(verdictOf({ ...BASE, confidence: 0.7 })[0]).toBe('promote');
    expect(verdictOf({ ...BASE, confidence: 0.701 })[0]).toBe('promote');
    expect(verdictOf({ ...BASE, confidence: undefined })).toEqual(['no_go', ['confidence_below_threshold']]);
  });

  it('scenario_score_min 0.5 on the lowest scenario score; no scores skip it', () => {
    expect(verdictOf({ ...BASE, scenario_scores: { a: 0.9, b: 0.499 } })).toEqual(['no_go', ['scenario_below_min']]);
    expect(verdictOf({ ...BASE, scenario_scores: { a: 0.9, b: 0.5 } })[0]).toBe('promote');
    expect(verdictOf({ ...BASE, scenario_scores: { a: 0.9, b: 0.501 } })[0]).toBe('promote');
    expect(verdictOf({ ...BASE, scenario_scores: {} })[0]).toBe('promote');
    expect(verdictOf({ ...BASE, scenario_scores: { a: '0.4' } })[0]).toBe('no_go'); // float("0.4"), as menace
  });

  it('micro-pilot: sandbox_roi strictly below 0.1 and adapter_roi strictly above 1.0, both present', () => {
    const v = (sandbox_roi: number | null, adapter_roi: number | null, policy?: Record<string, unknown>) =>
      verdictOf({ ...BASE, sandbox_roi, adapter_roi }, { policy })[0];
    expect(v(0.099, 1.001)).toBe('pilot');
    expect(v(0.1, 1.001)).toBe('promote');
    expect(v(0.101, 1.001)).toBe('promote');
    expect(v(0.099, 1.0)).toBe('promote');
    expect(v(0.099, 0.999)).toBe('promote');
    expect(v(null, 5)).toBe('promote');
    expect(v(0, null)).toBe('promote');
    expect(v(0.25, 2, { sandbox_roi_low: 0.3 })).toBe('pilot');
    expect(v(0.25, 2, { sandbox_roi_low: 0.3, sandbox_low: 0.2 })).toBe('promote'); // sandbox_low wins, as in menace
    expect(v(0.05, 1.5, { adapter_high: 1.5 })).toBe('promote');
    expect(v(0.05, 1.5, { adapter_roi_high: 1.4 })).toBe('pilot');
  });

  it('micro-pilot with and without bypass', () => {
    const card = { ...BASE, sandbox_roi: 0.05, adapter_roi: 1.2 };
    expect(verdictOf(card)).toEqual(['pilot', ['micro_pilot']]);
    const r = evaluate(card, { override: signed({ bypass_micro_pilot: true }) });
    expect([r.verdict, r.reason_codes]).toEqual(['promote', []]);
    expect(r.trace.find((t) => t.step === 'micro_pilot')).toMatchObject({ result: 'bypassed' });
    expect(verdictOf(card, { override: signed({ bypass_micro_pilot: false }) })).toEqual(['pilot', ['micro_pilot']]);
  });

  it('max_variance: population variance of two or more scores, strictly above', () => {
    // {0.6, 1.0}: mean 0.8, population variance 0.04 (sample variance would be 0.08)
    const card = { ...BASE, scenario_scores: { a: 0.6, b: 1.0 } };
    const r = evaluate(card, { policy: { max_variance: 0.05 } });
    expect(r.trace.find((t) => t.step === 'variance')).toMatchObject({ variance: expect.closeTo(0.04, 12), result: 'ok' });
    expect(verdictOf(card, { policy: { max_variance: 0.039 } })).toEqual(['no_go', ['variance_above_max']]);
    expect(verdictOf(card, { policy: { max_variance: 0.041 } })[0]).toBe('promote');
    // {0.5, 1.0}: variance exactly 0.0625 in binary floating point: at the boundary is not above
    const exact = { ...BASE, scenario_scores: { a: 0.5, b: 1.0 } };
    expect(verdictOf(exact, { policy: { max_variance: 0.0625 } })[0]).toBe('promote');
    expect(verdictOf(exact, { policy: { max_variance: 0.0624 } })[0]).toBe('no_go');
    // one score has no variance
    expect(verdictOf({ ...BASE, scenario_scores: { a: 0.6 } }, { policy: { max_variance: 0 } })[0]).toBe('promote');
    // variance is exposed to rules
    const rules = compileRules([{ decision: 'pilot', condition: 'score_variance is not None and score_variance >= 0.0625', reason_code: 'spread' }]);
    expect(verdictOf(exact, { rules })).toEqual(['pilot', ['spread']]);
  });

  it('scenario_thresholds: below is <name>_below_min, at and above pass', () => {
    const policy = { scenario_thresholds: { fraud: 0.6 } };
    expect(verdictOf({ ...BASE, scenario_scores: { fraud: 0.599, x: 1 } }, { policy })).toEqual(['no_go', ['fraud_below_min']]);
    expect(verdictOf({ ...BASE, scenario_scores: { fraud: 0.6, x: 1 } }, { policy })[0]).toBe('promote');
    expect(verdictOf({ ...BASE, scenario_scores: { fraud: 0.601, x: 1 } }, { policy })[0]).toBe('promote');
  });
});

describe('overrides', () => {
  it('a valid forced verdict replaces the verdict and appends manual_override (verdict or forced_verdict)', () => {
    expect(verdictOf(BASE, { override: signed({ verdict: 'demote' }) })).toEqual(['demote', ['manual_override']]);
    expect(verdictOf(BASE, { override: signed({ forced_verdict: 'pilot' }) })).toEqual(['pilot', ['manual_override']]);
    expect(verdictOf({ ...BASE, raroi: 0 }, { override: signed({ forced_verdict: 'no_go' }) })).toEqual(['no_go', ['raroi_below_threshold', 'manual_override']]);
  });

  it('an unknown forced value is ignored, and a truthy unknown `verdict` hides `forced_verdict` as in menace', () => {
    const r = evaluate(BASE, { override: signed({ verdict: 'ship_it' }) });
    expect([r.verdict, r.reason_codes]).toEqual(['promote', []]);
    expect(r.trace.at(-1)).toMatchObject({ step: 'override', forced_verdict: 'ship_it', result: 'ignored_unknown_verdict' });
    expect(verdictOf(BASE, { override: signed({ verdict: 'micro_pilot', forced_verdict: 'demote' }) })).toEqual(['promote', []]);
    expect(verdictOf(BASE, { override: signed({ verdict: '', forced_verdict: 'demote' }) })).toEqual(['demote', ['manual_override']]);
  });

  it('after a veto, a signed forced verdict still applies (menace applies it whatever decided)', () => {
    expect(verdictOf({ ...BASE, alignment_status: 'fail' }, { override: signed({ verdict: 'promote' }) })).toEqual(['promote', ['alignment_veto', 'manual_override']]);
    // bypass does not lift a veto
    expect(verdictOf({ ...BASE, security_status: 'fail' }, { override: signed({ bypass_micro_pilot: true }) })).toEqual(['demote', ['security_veto']]);
  });

  it('a bad signature never reaches the evaluator', () => {
    expect(() => verifyOverride(JSON.stringify({ data: { verdict: 'promote' }, signature: signOverrideData({ verdict: 'promote' }, 'wrong') }), KEY)).toThrow(
      expect.objectContaining({ code: 'override_bad_signature' }),
    );
  });
});

describe('a missing metric does not match; evaluation errors never promote', () => {
  it('a rule naming a metric the scorecard lacks does not match (as menace), and the trace names the metric', () => {
    const rules = compileRules([{ decision: 'demote', condition: 'sandbox_roi < 0.1', reason_code: 'weak_sandbox' }]);
    const r = evaluate(BASE, { rules }); // sandbox_roi absent: None < 0.1 raises in menace, which skips the rule
    expect([r.verdict, r.reason_codes]).toEqual(['promote', []]);
    expect(r.trace.find((t) => t.step === 'rule' && t.index === 0)).toMatchObject({ result: 'missing_metric', missing: ['sandbox_roi'], error: expect.stringContaining('null') });
    expect(r.trace.find((t) => t.step === 'rule_evaluation_error')).toBeUndefined();
  });

  it('a non-promote rule that fails on wrong types turns a later promote into no_go rule_evaluation_error', () => {
    const rules = compileRules([{ decision: 'demote', condition: 'alignment_status < 0.1', reason_code: 'bad_types' }]);
    const r = evaluate({ ...BASE, sandbox_roi: 0.5 }, { rules });
    expect([r.verdict, r.reason_codes]).toEqual(['no_go', [RULE_EVALUATION_ERROR]]);
    expect(r.trace.find((t) => t.step === 'rule' && t.index === 0)).toMatchObject({ result: 'error', error: expect.stringContaining('no such overload') });
    expect(r.trace.find((t) => t.step === 'rule' && t.index === 0)).not.toHaveProperty('missing');
    expect(r.trace.find((t) => t.step === 'rule_evaluation_error')).toEqual({ step: 'rule_evaluation_error', rules: [0], result: 'no_go' });
  });

  it('a wrong-type failure is an error even when the condition also names a present metric', () => {
    const rules = compileRules([{ decision: 'demote', condition: 'raroi > 0 and alignment_status > 1', reason_code: 'bad_types' }]);
    expect(verdictOf(BASE, { rules })).toEqual(['no_go', [RULE_EVALUATION_ERROR]]);
  });

  it('a py_* helper on a missing metric is a missing metric too; division by zero is an error', () => {
    const missing = compileRules([{ decision: 'demote', condition: 'raroi / sandbox_roi < 1', reason_code: 'ratio' }]);
    const r = evaluate(BASE, { rules: missing });
    expect([r.verdict, r.reason_codes]).toEqual(['promote', []]);
    expect(r.trace.find((t) => t.step === 'rule' && t.index === 0)).toMatchObject({ result: 'missing_metric', missing: ['sandbox_roi'] });
    const zero = compileRules([{ decision: 'demote', condition: 'raroi / sandbox_roi < 1', reason_code: 'ratio' }]);
    expect(verdictOf({ ...BASE, sandbox_roi: 0 }, { rules: zero })).toEqual(['no_go', [RULE_EVALUATION_ERROR]]);
  });

  it('the failed rule does not fire, and a later non-promote rule still decides (as menace)', () => {
    const rules = compileRules([{ decision: 'demote', condition: 'sandbox_roi < 0.1', reason_code: 'weak_sandbox' }]);
    expect(verdictOf({ ...BASE, raroi: 0.5 }, { rules })).toEqual(['no_go', ['raroi_below_threshold']]);
  });

  it("menace's config rule file on test_promotion's scorecard (no sandbox_roi/adapter_roi): promote, as in menace", () => {
    const r = evaluate(BASE, { rules: MENACE_CONFIG_RULES });
    expect([r.verdict, r.reason_codes]).toEqual(['promote', []]);
    expect(r.trace.filter((t) => t.step === 'rule' && t.result === 'missing_metric')).toEqual([
      expect.objectContaining({ index: 1, reason_code: 'micro_pilot', missing: ['sandbox_roi', 'adapter_roi'] }),
    ]);
  });

  it('a failing promote rule is only skipped: it cannot promote by failing', () => {
    const rules = compileRules([{ decision: 'promote', condition: 'sandbox_roi > 1', reason_code: 'good_sandbox' }]);
    expect(verdictOf(BASE, { rules })).toEqual(['promote', []]);
    expect(verdictOf({ ...BASE, raroi: 0 }, { rules })).toEqual(['no_go', ['raroi_below_threshold']]);
    const typed = compileRules([{ decision: 'promote', condition: 'alignment_status > 1', reason_code: 'bad' }]);
    expect(verdictOf({ ...BASE, raroi: 0 }, { rules: typed })).toEqual(['no_go', ['raroi_below_threshold']]);
  });

  it('a native CEL rule that yields a non-bool at run time is an evaluation error', () => {
    const rules = compileRules([{ decision: 'demote', cel: 'dyn(raroi)' }]);
    expect(verdictOf(BASE, { rules })).toEqual(['no_go', [RULE_EVALUATION_ERROR]]);
  });

  it('a scorecard lacking raroi or confidence is a verdict, not invalid input: the built-in rules answer no_go', () => {
    const { raroi: _r, ...noRaroi } = BASE;
    const { confidence: _c, ...noConfidence } = BASE;
    expect(verdictOf(noRaroi)).toEqual(['no_go', ['raroi_below_threshold']]);
    expect(verdictOf(noConfidence)).toEqual(['no_go', ['confidence_below_threshold']]);
  });
});

describe('invalid input', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
      return 'ok';
    } catch (err) {
      return err instanceof PromotionInputError ? err.code : String(err);
    }
  };
  it('refuses malformed scorecards and policies, and unsigned override flags in a policy', () => {
    expect(code(() => evaluatePromotion({ scorecard: [] }))).toBe('invalid_scorecard');
    expect(code(() => evaluate({ raroi: '1.2' }))).toBe('invalid_scorecard');
    expect(code(() => evaluate({ raroi: true }))).toBe('invalid_scorecard');
    expect(code(() => evaluate({ scenario_scores: [0.5] }))).toBe('invalid_scorecard');
    expect(code(() => evaluate({ scenario_scores: { a: null } }))).toBe('invalid_scorecard');
    // none of the known metrics: not a scorecard (menace would answer no_go on it)
    expect(code(() => evaluate({ foo: 1 }))).toBe('invalid_scorecard');
    expect(code(() => evaluate({}))).toBe('invalid_scorecard');
    expect(code(() => evaluate({ raroi: null, foo: 1 }))).toBe('invalid_scorecard');
    expect(code(() => evaluate({ alignment_status: 'pass' }))).toBe('ok');
    expect(code(() => evaluate(BASE, { policy: [] }))).toBe('invalid_policy');
    expect(code(() => evaluate(BASE, { policy: { raroi_treshold: 1 } }))).toBe('invalid_policy');
    expect(code(() => evaluate(BASE, { policy: { raroi_threshold: null } }))).toBe('invalid_policy');
    expect(code(() => evaluate(BASE, { policy: { overrides: { verdict: 'promote' } } }))).toBe('invalid_policy');
    expect(code(() => evaluate(BASE, { policy: { override_path: 'o.json', public_key_path: 'k' } }))).toBe('invalid_policy');
    expect(code(() => evaluate(BASE, { policy: { roi_forecast_min: 0.5, raroi_threshold: '1.0' } }))).toBe('ok');
  });
});
