import { compileRuleFile, compileRules } from './rules.js';
import { RULE_FILE_LIMITS } from './rule-limits.js';
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

const REDOS = '"a".repeat(1) == "" || security_status.matches("^(a+)+$")';

describe('rule file limits', () => {
  it('refuses cel: calls, methods and macros, naming the rule', () => {
    for (const [cel, what] of [
      ['security_status.matches("^(a|a)+$")', /method or macro \.matches\(\)/],
      ['matches(security_status, "^(a+)+$")', /function matches\(\)/],
      ['[1.0, 2.0].exists(x, x > raroi)', /\.exists\(\)/],
      ['[1.0].all(x, x > 0.0)', /\.all\(\)/],
      ['size(security_status) > 3', /function size\(\)/],
      ['{"a": 1.0}["a"] > raroi', /map literal|indexing/],
      ['1.0 in [raroi]', /list literal|operator in/],
    ] as const) {
      const e = error(() => compileRules([{ decision: 'no_go', cel, reason_code: 'bad' }]));
      expect(e.code).toBe('rule_compile_error');
      expect(e.message).toMatch(/^rule 1 \(bad\) does not compile: it uses /);
      expect(e.message).toMatch(what);
    }
    expect(error(() => compileRules([{ decision: 'no_go', cel: REDOS }])).code).toBe('rule_compile_error');
  });

  it('keeps what the Python-style path emits and plain CEL comparisons', () => {
    const set = compileRules([
      { decision: 'no_go', cel: 'raroi != null && (raroi < 0.1 || -confidence > 1.0) ? true : !(raroi == 2.0)' },
      { decision: 'no_go', condition: 'raroi is not None and raroi ** 2 // 1 % 3 / 2 > 0 and "x" in security_status' },
    ]);
    expect(set.fileRuleCount).toBe(2);
  });

  it('a stored file with a refused condition loads, and the rule errors instead of running', () => {
    const set = compileRuleFile(`- decision: no_go\n  cel: '${REDOS}'\n  reason_code: redos\n`, { stored: true });
    expect(() => set.rules[0].test({} as never)).toThrow(/rule refused/);
  });

  it('bounds the text: size, nesting, indentation, aliases, rule count, condition length', () => {
    expect(error(() => compileRuleFile('['.repeat(20000) + ']'.repeat(20000))).message).toMatch(/nests \[ or \{ more than/);
    expect(error(() => compileRuleFile(`- ${' '.repeat(100)}x`)).code).toBe('invalid_rule_file');
    expect(error(() => compileRuleFile(Array.from({ length: 80 }, (_, i) => `${' '.repeat(i)}- `).join('\n') + 'x')).message).toMatch(/indents a line/);
    expect(error(() => compileRuleFile('#'.repeat(RULE_FILE_LIMITS.maxBytes + 1))).message).toMatch(/larger than/);
    let bomb = '- &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 0; i < 9; i++) bomb += `- &${'bcdefghij'[i]} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]\n`;
    const started = Date.now();
    expect(error(() => compileRuleFile(bomb)).message).toMatch(/not valid YAML\/JSON: Excessive alias count/);
    expect(Date.now() - started).toBeLessThan(1000);
    const many = Array.from({ length: RULE_FILE_LIMITS.maxRules + 1 }, () => ({ decision: 'no_go', condition: 'False' }));
    expect(error(() => compileRules(many)).message).toMatch(new RegExp(`at most ${RULE_FILE_LIMITS.maxRules} rules`));
    expect(error(() => compileRules([{ decision: 'no_go', condition: `raroi > 1${' + 1'.repeat(600)}` }])).message).toMatch(new RegExp(`longer than ${RULE_FILE_LIMITS.maxConditionLength} characters`));
  });
});
