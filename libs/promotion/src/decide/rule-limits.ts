/**
 * What a rule file may cost. A rule file is user input that the Friday review evaluates in the
 * event loop, so its parse and its conditions are bounded before anything runs:
 *
 * - the text: at most RULE_FILE_LIMITS.maxBytes, flow nesting ([ and {) at most maxFlowDepth deep,
 *   no line indented more than maxIndent spaces (a 40 KB `[[[[...` crashed the YAML parser's process
 *   out of memory; a real rule file nests two levels), at most maxAliases aliases (`yaml`'s
 *   maxAliasCount: the billion-laughs expansion is refused, not built);
 * - at most maxRules rules, each condition at most maxConditionLength characters;
 * - a condition (menace/Python style or `cel:`) may use only what the Python-style path emits:
 *   the rule variables, literals, comparisons, arithmetic, `!`, `&&`, `||`, `? :`, the `py_*`
 *   helpers and the conversions `dyn()`, `double()`, `int()`. No function or method call (`matches()` ran a 30-character regex for 7.1 s), no
 *   macro (`exists`, `all`, `map`, `filter`), no field, index, list or map. What is left costs time
 *   linear in the condition's length (measured: the worst file within the limits, 100 rules of 500
 *   characters, compiles in ~0.2 s and evaluates in ~25 ms per scorecard).
 * - evaluationBudgetMs: a rule whose evaluation nevertheless took longer is a rule error (logged in
 *   the trace, the rule does not fire, a later promote becomes no_go), never a verdict it reached slowly.
 */
export const RULE_FILE_LIMITS = {
  maxBytes: 64 * 1024,
  maxFlowDepth: 16,
  maxIndent: 64,
  maxAliases: 100,
  maxRules: 100,
  maxConditionLength: 500,
  evaluationBudgetMs: 50,
  /** The server parses in a worker (rule-file-parser.ts), given up after this long. */
  parseTimeoutMs: 1000,
} as const;

/** A limit of the file's text that is exceeded, or null. Counts brackets inside quotes too: a stricter bound, never a looser one. */
export function textLimitExceeded(text: string): string | null {
  if (Buffer.byteLength(text, 'utf8') > RULE_FILE_LIMITS.maxBytes) return `is larger than ${RULE_FILE_LIMITS.maxBytes} bytes`;
  let depth = 0;
  let indent = 0;
  let lineStart = true;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart && c === 0x20) {
      indent += 1;
      if (indent > RULE_FILE_LIMITS.maxIndent) return `indents a line more than ${RULE_FILE_LIMITS.maxIndent} spaces`;
      continue;
    }
    lineStart = false;
    if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > RULE_FILE_LIMITS.maxFlowDepth) return `nests [ or { more than ${RULE_FILE_LIMITS.maxFlowDepth} deep`;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) {
      depth -= 1;
    }
  }
  return null;
}

/** A CEL AST node as @marcbachmann/cel-js builds it: an operator and its arguments. */
interface CelNode {
  op: string;
  args: unknown;
}

const BINARY = new Set(['==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '&&', '||']);
/** The py_* helpers, and CEL's constant-time conversions between the types a rule variable has. */
export const HELPER_FUNCTIONS: ReadonlySet<string> = new Set(['py_truthy', 'py_div', 'py_floordiv', 'py_mod', 'py_pow', 'py_in', 'dyn', 'double', 'int']);

const isNode = (v: unknown): v is CelNode => typeof v === 'object' && v !== null && typeof (v as CelNode).op === 'string';

/** The first construct of `ast` outside the allowed subset, described for the error message, or null. */
export function disallowedConstruct(ast: unknown): string | null {
  const stack: unknown[] = [ast];
  while (stack.length) {
    const node = stack.pop();
    if (!isNode(node)) return 'an expression Warden cannot inspect';
    const { op, args } = node;
    if (op === 'value' || op === 'id') continue;
    if (op === 'call') {
      const [name, callArgs] = args as [string, unknown[]];
      if (!HELPER_FUNCTIONS.has(name)) return `the function ${name}()`;
      stack.push(...callArgs);
    } else if (op === 'rcall') {
      return `the method or macro .${(args as [string])[0]}()`;
    } else if (op === '!_' || op === '-_') {
      stack.push(args);
    } else if (op === '?:' || BINARY.has(op)) {
      stack.push(...(args as unknown[]));
    } else if (op === '.' || op === '.?') {
      return `field access (.${String((args as [unknown, string])[1])})`;
    } else if (op === '[]' || op === '[?]') {
      return 'indexing ([])';
    } else if (op === 'list' || op === 'map') {
      return `a ${op} literal`;
    } else {
      return `the operator ${op}`;
    }
  }
  return null;
}
