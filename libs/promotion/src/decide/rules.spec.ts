import { BUILTIN_RULE_SET, compileRuleFile, compileRules } from './rules.js';
import { PromotionInputError } from './types.js';

const error = (fn: () => unknown): PromotionInputError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof PromotionInputError) return err;
    throw err;
  }
  throw new Error('expected a PromotionInputError');
};

describe('rule files', () => {
  it("loads a menace rule file unchanged (YAML list) and prepends it to menace's built-ins", () => {
    const set = compileRuleFile(`
- decision: promote
  condition: "raroi > 2.0 and confidence > 0.9 and min_scenario >= 0.5"
  reason_code: strong_candidate
- decision: no_go
  condition: "raroi is not None and raroi < 0.2"
  reason_code: poor_raroi
`);
    expect(set.fileRuleCount).toBe(2);
    expect(set.rules.map((r) => `${r.source}:${r.decision}:${r.reasonCode}`)).toEqual([
      'file:promote:strong_candidate',
      'file:no_go:poor_raroi',
      'builtin:no_go:raroi_below_threshold',
      'builtin:no_go:confidence_below_threshold',
      'builtin:no_go:scenario_below_min',
      'builtin:promote:',
    ]);
    expect(set.rules.slice(2)).toEqual(BUILTIN_RULE_SET.rules);
    expect(set.rules[1].cel).toBe('((raroi != null) ? (raroi < 0.2) : false)');
  });

  it('accepts JSON and native CEL conditions', () => {
    const set = compileRuleFile('[{"decision": "demote", "cel": "raroi != null && raroi < 0.1", "reason_code": "tiny"}]');
    expect(set.rules[0].cel).toBe('raroi != null && raroi < 0.1');
  });

  it('a condition that fails to compile rejects the file with an error naming the rule', () => {
    const e = error(() =>
      compileRules([
        { decision: 'promote', condition: 'True', reason_code: 'ok' },
        { decision: 'demote', condition: "__import__('os').system('echo hi')", reason_code: 'bad' },
      ]),
    );
    expect(e.code).toBe('rule_compile_error');
    expect(e.message).toMatch(/^rule 2 \(bad\) does not compile: attribute access not allowed/);
    expect(e.details).toMatchObject({ rule: 'rule 2 (bad)', reason_code: 'bad' });

    expect(error(() => compileRules([{ decision: 'demote', condition: 'roi > 1' }])).message).toMatch(/^rule 1 does not compile: unknown name 'roi'/);
    expect(error(() => compileRules([{ decision: 'demote', cel: 'raroi >' }])).message).toMatch(/^rule 1 does not compile/);
    expect(error(() => compileRules([{ decision: 'demote', cel: 'unknown_var > 1.0', reason_code: 'x' }])).message).toMatch(/^rule 1 \(x\) does not compile: Unknown variable/);
    expect(error(() => compileRules([{ decision: 'demote', cel: '"a" + "b"' }])).message).toMatch(/must yield a bool/);
  });

  it('refuses what menace\'s schema refuses, and decisions that are not verdicts', () => {
    expect(error(() => compileRuleFile('decision: promote')).code).toBe('invalid_rule_file'); // not a list (test_invalid_rule_config)
    expect(error(() => compileRuleFile('[')).code).toBe('invalid_rule_file');
    expect(error(() => compileRules([{ decision: 'promote' }])).message).toMatch(/rule 1: needs exactly one of condition/);
    expect(error(() => compileRules([{ decision: 'promote', condition: 'True', extra: 1 }])).message).toMatch(/unknown field\(s\) extra/);
    expect(error(() => compileRules([{ decision: 'borderline', condition: 'True' }])).message).toMatch(/decision must be one of/);
    expect(error(() => compileRules([{ decision: 'promote', condition: 'True', cel: 'true' }])).code).toBe('invalid_rule_file');
    expect(error(() => compileRules(['x'])).message).toMatch(/rule 1: must be a mapping/);
  });
});
