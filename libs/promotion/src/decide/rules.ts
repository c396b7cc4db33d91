import { Environment } from '@marcbachmann/cel-js';
import { parse as parseYaml } from 'yaml';
import { PythonRewriteError, pythonToCel } from './python-to-cel.js';
import { disallowedConstruct, RULE_FILE_LIMITS, textLimitExceeded } from './rule-limits.js';
import { isVerdict, PromotionInputError, VERDICTS, type Verdict } from './types.js';

/**
 * The names a condition may use: exactly the locals menace's DeploymentGovernor hands to its
 * rules, plus `security_status` (Warden also vetoes on security).
 */
export const RULE_VARIABLES = [
  'raroi',
  'confidence',
  'min_scenario',
  'score_variance',
  'sandbox_roi',
  'adapter_roi',
  'alignment_status',
  'security_status',
  'raroi_threshold',
  'confidence_threshold',
  'scenario_score_min',
  'sandbox_roi_low',
  'adapter_roi_high',
  'max_variance',
] as const;
export type RuleVariables = Record<(typeof RULE_VARIABLES)[number], number | string | null>;

const NAMES: ReadonlySet<string> = new Set(RULE_VARIABLES);

export interface RuleSpec {
  decision: Verdict;
  /** menace (Python-style) condition, rewritten to CEL. */
  condition?: string;
  /** A condition written in CEL directly (Warden extension). */
  cel?: string;
  reason_code?: string;
}

export interface CompiledRule {
  readonly source: 'file' | 'builtin';
  readonly decision: Verdict;
  /** Empty for the built-in promote; else the rule's reason_code, defaulting to its decision as in menace. */
  readonly reasonCode: string;
  /** The condition as written. */
  readonly condition: string;
  /** The CEL that is evaluated. */
  readonly cel: string;
  readonly test: (vars: RuleVariables) => unknown;
}

/** A compiled rule file: its rules followed by the built-ins, compiled once and reused. */
export interface RuleSet {
  readonly rules: readonly CompiledRule[];
  readonly fileRuleCount: number;
}

function pyNumber(v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`unsupported operand type ${v === null ? 'NoneType' : typeof v}`);
  return v;
}

function truthy(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'number') return v !== 0; // NaN is truthy in Python
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'bigint') return v !== 0n;
  return typeof v === 'boolean' ? v : true;
}

// An Environment is costly to build; one serves every rule file.
const env = new Environment();
for (const name of RULE_VARIABLES) env.registerVariable(name, 'dyn');
env
  .registerFunction('py_truthy(dyn): bool', truthy)
  .registerFunction('py_div(dyn, dyn): dyn', (a: unknown, b: unknown) => {
    if (pyNumber(b) === 0) throw new RangeError('division by zero');
    return pyNumber(a) / pyNumber(b);
  })
  .registerFunction('py_floordiv(dyn, dyn): dyn', (a: unknown, b: unknown) => {
    if (pyNumber(b) === 0) throw new RangeError('integer division or modulo by zero');
    return Math.floor(pyNumber(a) / pyNumber(b));
  })
  .registerFunction('py_mod(dyn, dyn): dyn', (a: unknown, b: unknown) => {
    const d = pyNumber(b);
    if (d === 0) throw new RangeError('modulo by zero');
    const m = pyNumber(a) % d;
    return m !== 0 && d < 0 !== m < 0 ? m + d : m; // Python: the result takes the divisor's sign
  })
  .registerFunction('py_pow(dyn, dyn): dyn', (a: unknown, b: unknown) => {
    const x = pyNumber(a);
    const y = pyNumber(b);
    if (x === 0 && y < 0) throw new RangeError('0.0 cannot be raised to a negative power');
    const r = x ** y;
    if (Number.isNaN(r)) throw new RangeError('negative number cannot be raised to a fractional power');
    return r;
  })
  .registerFunction('py_in(dyn, dyn): bool', (a: unknown, b: unknown) => {
    if (typeof b !== 'string') throw new TypeError(`argument of type '${b === null ? 'NoneType' : typeof b}' is not iterable`);
    if (typeof a !== 'string') throw new TypeError("'in <string>' requires string as left operand");
    return b.includes(a);
  });

/** How a file is compiled: `stored` (a file accepted before the current limits) turns a refused condition into a rule that errors, not a file that fails. */
export interface CompileOptions {
  stored?: boolean;
}

function compileOne(
  spec: { decision: Verdict; condition?: string; cel?: string; reasonCode: string },
  source: 'file' | 'builtin',
  label: string,
  options: CompileOptions = {},
): CompiledRule {
  const text = spec.cel ?? spec.condition!;
  if (text.length > RULE_FILE_LIMITS.maxConditionLength) {
    throw compileError(label, spec, `the condition is longer than ${RULE_FILE_LIMITS.maxConditionLength} characters`);
  }
  let cel: string;
  if (spec.cel !== undefined) {
    cel = spec.cel;
  } else {
    try {
      cel = pythonToCel(spec.condition!, NAMES);
    } catch (err) {
      if (err instanceof PythonRewriteError) throw compileError(label, spec, err.message);
      throw err;
    }
  }
  let test: (vars: RuleVariables) => unknown;
  try {
    const parsed = env.parse(cel);
    const refused = disallowedConstruct(parsed.ast);
    if (refused) {
      const why = `it uses ${refused}; a condition may use only the rule variables, literals, comparisons, arithmetic, !, &&, ||, ? :, the py_* helpers and dyn()/double()/int()`;
      if (!options.stored) throw compileError(label, spec, why);
      return { source, decision: spec.decision, reasonCode: spec.reasonCode, condition: text, cel, test: () => refusedRule(why) };
    }
    test = budgeted(parsed as unknown as (vars: RuleVariables) => unknown);
    const checked = env.check(cel);
    if (!checked.valid) throw checked.error;
    const type = String(checked.type);
    if (type !== 'bool' && type !== 'dyn') throw new Error(`a condition must yield a bool, this one yields ${type}`);
  } catch (err) {
    if (err instanceof PromotionInputError) throw err;
    throw compileError(label, spec, firstLine(err));
  }
  return { source, decision: spec.decision, reasonCode: spec.reasonCode, condition: text, cel, test };
}

function refusedRule(why: string): never {
  throw new RangeError(`rule refused: ${why}`);
}

/** A run over the budget is a rule error: the verdict is never one a slow rule reached (RULE_FILE_LIMITS). */
function budgeted(fn: (vars: RuleVariables) => unknown): (vars: RuleVariables) => unknown {
  return (vars) => {
    const start = performance.now();
    const result = fn(vars);
    const took = performance.now() - start;
    if (took > RULE_FILE_LIMITS.evaluationBudgetMs) throw new RangeError(`rule exceeded its evaluation budget (${took.toFixed(0)} ms > ${RULE_FILE_LIMITS.evaluationBudgetMs} ms)`);
    return result;
  };
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

function compileError(label: string, spec: { condition?: string; cel?: string; reasonCode: string }, why: string): PromotionInputError {
  return new PromotionInputError('rule_compile_error', `${label} does not compile: ${why}`, {
    rule: label,
    reason_code: spec.reasonCode,
    condition: spec.cel ?? spec.condition,
  });
}

/** menace's built-in rules (DeploymentGovernor._DEFAULT_RULES), in its order; they run after a file's rules. */
const BUILTIN_RULES: readonly CompiledRule[] = [
  { decision: 'no_go', condition: 'raroi is None or raroi < raroi_threshold', reasonCode: 'raroi_below_threshold' },
  { decision: 'no_go', condition: 'confidence is None or confidence < confidence_threshold', reasonCode: 'confidence_below_threshold' },
  { decision: 'no_go', condition: 'min_scenario is not None and min_scenario < scenario_score_min', reasonCode: 'scenario_below_min' },
  { decision: 'promote', condition: 'True', reasonCode: '' },
].map((r, i) => compileOne(r as { decision: Verdict; condition: string; reasonCode: string }, 'builtin', `built-in rule ${i + 1}`));

export const BUILTIN_RULE_SET: RuleSet = { rules: BUILTIN_RULES, fileRuleCount: 0 };

const RULE_KEYS = new Set(['decision', 'condition', 'cel', 'reason_code']);

/**
 * Validates and compiles parsed rules (menace's schema: a list of {decision, condition,
 * reason_code?}, nothing else) and prepends them to the built-ins. Throws a
 * PromotionInputError naming the first bad rule.
 */
export function compileRules(rules: unknown, options: CompileOptions = {}): RuleSet {
  if (!Array.isArray(rules)) {
    throw new PromotionInputError('invalid_rule_file', 'a rule file is a list of {decision, condition, reason_code} rules');
  }
  if (rules.length > RULE_FILE_LIMITS.maxRules) {
    throw new PromotionInputError('invalid_rule_file', `a rule file has at most ${RULE_FILE_LIMITS.maxRules} rules; this one has ${rules.length}`);
  }
  const compiled = rules.map((item: unknown, i): CompiledRule => {
    const reason = item && typeof item === 'object' && typeof (item as RuleSpec).reason_code === 'string' ? (item as RuleSpec).reason_code : undefined;
    const label = `rule ${i + 1}${reason ? ` (${reason})` : ''}`;
    const bad = (why: string) => new PromotionInputError('invalid_rule_file', `${label}: ${why}`, { rule: label });
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw bad('must be a mapping');
    const r = item as Record<string, unknown>;
    const extra = Object.keys(r).filter((k) => !RULE_KEYS.has(k));
    if (extra.length) throw bad(`unknown field(s) ${extra.join(', ')}`);
    if (!isVerdict(r.decision)) throw bad(`decision must be one of ${VERDICTS.join(', ')}`);
    if ((r.condition === undefined) === (r.cel === undefined)) throw bad('needs exactly one of condition (menace/Python style) or cel');
    const text = r.condition ?? r.cel;
    if (typeof text !== 'string' || !text.trim()) throw bad('condition must be a non-empty string');
    if (r.reason_code !== undefined && r.reason_code !== null && typeof r.reason_code !== 'string') throw bad('reason_code must be a string');
    // menace: `reason_code or decision`
    const reasonCode = typeof r.reason_code === 'string' && r.reason_code ? r.reason_code : r.decision;
    return compileOne(
      { decision: r.decision, reasonCode, ...(r.cel !== undefined ? { cel: text } : { condition: text }) },
      'file',
      label,
      options,
    );
  });
  return { rules: [...compiled, ...BUILTIN_RULES], fileRuleCount: compiled.length };
}

/** Parses a rule file's text (YAML, of which JSON is a subset) within RULE_FILE_LIMITS and compiles it. */
export function compileRuleFile(text: string, options: CompileOptions = {}): RuleSet {
  const tooBig = textLimitExceeded(text);
  if (tooBig) throw new PromotionInputError('invalid_rule_file', `rule file refused: it ${tooBig} (docs/promotion-review.md, limits)`);
  let parsed: unknown;
  try {
    // maxAliasCount: an alias bomb stops the parse (a ReferenceError), it is never expanded.
    parsed = parseYaml(text, { maxAliasCount: RULE_FILE_LIMITS.maxAliases });
  } catch (err) {
    throw new PromotionInputError('invalid_rule_file', `rule file is not valid YAML/JSON: ${firstLine(err)}`);
  }
  return compileRules(parsed, options);
}
