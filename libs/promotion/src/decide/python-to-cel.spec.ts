import { compileRules, RULE_VARIABLES, type RuleVariables } from './rules.js';
import { parsePython, pythonToCel, PythonRewriteError, tokenize } from './python-to-cel.js';

const NAMES = new Set<string>([...RULE_VARIABLES, 's']);
const vars = (v: Partial<RuleVariables> = {}): RuleVariables =>
  ({ ...Object.fromEntries(RULE_VARIABLES.map((n) => [n, null])), ...v }) as RuleVariables;

/** Compiles a menace condition through the real rule compiler and evaluates it. */
function run(condition: string, v: Partial<RuleVariables> = {}): unknown {
  const rule = compileRules([{ decision: 'demote', condition }]).rules[0];
  return rule.test(vars(v));
}

describe('Python-style condition -> CEL', () => {
  it('rewrites and/or/not/True/False/None into CEL with Python short-circuit order', () => {
    expect(pythonToCel('raroi > 1 and confidence >= 0.5', NAMES)).toBe('((raroi > 1.0) ? (confidence >= 0.5) : false)');
    expect(pythonToCel('raroi is None or raroi < raroi_threshold', NAMES)).toBe('((raroi == null) ? true : (raroi < raroi_threshold))');
    expect(pythonToCel('not raroi is not None', NAMES)).toBe('(!(raroi != null))');
    expect(pythonToCel('True', NAMES)).toBe('true');
    expect(pythonToCel('False', NAMES)).toBe('false');
  });

  it('never rewrites inside string literals, whatever quotes they use', () => {
    expect(pythonToCel(`alignment_status == 'x and y or not None'`, NAMES)).toBe('(alignment_status == "x and y or not None")');
    expect(pythonToCel(`alignment_status != "it's True"`, NAMES)).toBe(`(alignment_status != "it's True")`);
    expect(pythonToCel(String.raw`alignment_status == 'a\'b\n' 'c'`, NAMES)).toBe('(alignment_status == "a\'b\\nc")');
    expect(pythonToCel(String.raw`alignment_status == r'\d and'`, NAMES)).toBe(String.raw`(alignment_status == "\\d and")`);
    expect(run(`alignment_status == ' and '`, { alignment_status: ' and ' })).toBe(true);
    expect(run(`alignment_status == ' and '`, { alignment_status: 'and' })).toBe(false);
    expect(run(`"pa" in alignment_status and 'or' not in alignment_status`, { alignment_status: 'pass' })).toBe(true);
  });

  it('keeps precedence with nested parentheses, not, and arithmetic', () => {
    expect(run('not (raroi > 1 or (confidence < 0.5 and (min_scenario is None)))', { raroi: 0.5, confidence: 0.4 })).toBe(false);
    expect(run('not (raroi > 1 or (confidence < 0.5 and (min_scenario is None)))', { raroi: 0.5, confidence: 0.6 })).toBe(true);
    expect(run('((((raroi))))>=1', { raroi: 1 })).toBe(true);
    expect(run('not raroi < 1', { raroi: 2 })).toBe(true); // not (raroi < 1), not (not raroi) < 1
    expect(run('raroi * 2 + 1 == 5 and -raroi ** 2 == -4', { raroi: 2 })).toBe(true);
    expect(run('2 ** -1 == 0.5 and 7 // 2 == 3 and -7 % 3 == 2 and 7 % -3 == -2 and 1 / 4 == 0.25')).toBe(true);
    expect(run('raroi - confidence * 2 > 0', { raroi: 1, confidence: 0.4 })).toBe(true);
  });

  it('handles comparisons, chained comparisons and literals Python accepts', () => {
    expect(run('0.5 <= confidence < 0.9', { confidence: 0.5 })).toBe(true);
    expect(run('0.5 <= confidence < 0.9', { confidence: 0.9 })).toBe(false);
    expect(run('1 < raroi > 0.5 != 3', { raroi: 2 })).toBe(true);
    expect(run('raroi == 1_000 and confidence < .5e1 and 0x10 == 16', { raroi: 1000, confidence: 4 })).toBe(true);
    expect(run('raroi != None', { raroi: 0 })).toBe(true);
    expect(run('raroi == None')).toBe(true);
  });

  it('applies Python truthiness to bare values', () => {
    expect(run('raroi', { raroi: 0 })).toBe(false);
    expect(run('raroi', { raroi: 0.1 })).toBe(true);
    expect(run('not max_variance')).toBe(true);
    expect(run('(raroi or confidence) > 1', { raroi: 0, confidence: 2 })).toBe(true); // `or` yields an operand, as in Python
    expect(run('(raroi and confidence) == 0', { raroi: 0, confidence: 2 })).toBe(true);
  });

  it('raises where Python raises (None compared), and only there', () => {
    expect(() => run('raroi < 1', {})).toThrow();
    // CEL's || would absorb the error and yield true; Python raises first, so menace skips the rule
    expect(() => run('raroi < 1 or True', {})).toThrow();
    expect(run('True or raroi < 1', {})).toBe(true);
    expect(run('raroi is not None and raroi < 1', {})).toBe(false);
    expect(() => run('1 / raroi > 0', { raroi: 0 })).toThrow(/division by zero/);
  });

  it('refuses what menace refuses: calls, attributes, subscripts, lambdas, unknown names', () => {
    for (const bad of [
      "__import__('os').system('echo hi')",
      'raroi.real > 1',
      'scenario_scores["a"] > 1',
      'abs(raroi) > 1',
      'lambda: True',
      'raroi if True else confidence',
      '(raroi, confidence)',
      'raroi is confidence',
      'predicted_roi > 1',
      "f'x' == alignment_status",
      'raroi >',
      '',
      'raroi = 1',
    ]) {
      expect(() => pythonToCel(bad, NAMES)).toThrow(PythonRewriteError);
    }
  });

  it('tokenises strings as single tokens', () => {
    expect(tokenize(`'a and b' == s`).map((t) => t.t)).toEqual(['str', 'op', 'name', 'eof']);
    expect(parsePython('a or b and not c')).toEqual({
      k: 'boolop',
      op: 'or',
      values: [{ k: 'name', id: 'a' }, { k: 'boolop', op: 'and', values: [{ k: 'name', id: 'b' }, { k: 'not', operand: { k: 'name', id: 'c' } }] }],
    });
  });
});
