import { Composer, CST, type Document, isMap, isPair, isScalar, isSeq, Lexer, Parser } from 'yaml';
import { GateInputError } from './input-error.js';

/**
 * What a policy file may cost to read (docs/gate.md, "Limits"). The `yaml` package alone is not
 * safe on hostile text: measured on this 2-core machine, a 512 KiB file of nested `[` took 4 s in
 * its parser, `- - - …` on one line ran it out of memory, 40,000 keys in one map took 45 s (its
 * duplicate-key check is quadratic), 20,000 aliases 30 s, and an alias bomb threw a ReferenceError
 * (a 500). These bounds are checked while the text is lexed, before the parser builds anything.
 */
export const POLICY_LIMITS = {
  /** UTF-8 bytes of the text (the largest accepted file parses in ~0.1 s). */
  max_bytes: 128 * 1024,
  /** Nesting levels: block indentation levels, compact `- `/`? `/`: ` indicators on a line and flow brackets; and the decoded value's depth. */
  max_depth: 32,
  /** Anchors (`&a`) and aliases (`*a`), each; also the package's expansion bound (maxAliasCount). */
  max_aliases: 100,
  /** Values in the decoded document, every alias expanded (a value reached twice counts twice). */
  max_nodes: 100_000,
  /** Rules in the policy. */
  max_rules: 2_000,
} as const;
export type PolicyLimit = keyof typeof POLICY_LIMITS;

/** A policy over one of POLICY_LIMITS: invalid input like any other (400 invalid_policy, CLI exit 6), naming the limit. */
export class PolicyLimitError extends GateInputError {
  constructor(
    readonly limit: PolicyLimit,
    problem: string,
  ) {
    super(`policy over the ${limit} limit (${POLICY_LIMITS[limit]}): ${problem}`, 'policy');
  }
}

/**
 * Decodes policy YAML into plain values within POLICY_LIMITS: strict (duplicate keys are errors,
 * keys are scalars), one document. Lexes once: each token is checked, then handed to the parser.
 */
export function decodePolicyYaml(text: string): unknown {
  const bytes = text.length > POLICY_LIMITS.max_bytes ? text.length : Buffer.byteLength(text, 'utf8');
  if (bytes > POLICY_LIMITS.max_bytes) throw new PolicyLimitError('max_bytes', `the file has ${bytes} bytes or more`);
  const scan = new NestingScan();
  const parser = new Parser();
  function* tokens() {
    for (const lexeme of new Lexer().lex(text)) {
      scan.token(lexeme);
      yield* parser.next(lexeme);
    }
    yield* parser.end();
  }
  // uniqueKeys off: the package's check is quadratic in a map's size; assertKeys does it in one pass.
  let doc: Document.Parsed | undefined;
  for (const d of new Composer({ uniqueKeys: false }).compose(tokens(), true, text.length)) {
    if (doc) throw new GateInputError('parse policy yaml: a policy is one YAML document');
    doc = d;
  }
  if (!doc) throw new GateInputError('parse policy yaml: no document');
  if (doc.errors.length > 0) throw new GateInputError(`parse policy yaml: ${doc.errors[0].message}`);
  assertKeys(doc);
  let value: unknown;
  try {
    // The package counts the anchor's own use too: + 1 lets max_aliases plain aliases of one anchor through.
    value = doc.toJS({ maxAliasCount: POLICY_LIMITS.max_aliases + 1 });
  } catch (e) {
    if (e instanceof ReferenceError && /excessive alias count/i.test(e.message)) throw new PolicyLimitError('max_aliases', 'aliases expand beyond the bound (an alias bomb)');
    throw new GateInputError(`parse policy yaml: ${(e as Error).message}`);
  }
  assertSize(value);
  const rules = typeof value === 'object' && value !== null ? (value as { rules?: unknown }).rules : undefined;
  if (Array.isArray(rules) && rules.length > POLICY_LIMITS.max_rules) throw new PolicyLimitError('max_rules', `the policy has ${rules.length} rules`);
  return value;
}

/**
 * Bounds the nesting while lexing, before the parser (whose cost grows faster than the depth) sees
 * it: each block line's depth is estimated from the indentation levels open above it plus the
 * compact indicators on it, flow brackets add one each. Over-estimates a little; never under.
 */
class NestingScan {
  private flow = 0;
  private indents: number[] = [];
  private indent = 0;
  private lineStart = true;
  private indicators = 0;
  private anchors = 0;
  private aliases = 0;

  token(lexeme: string): void {
    switch (CST.tokenType(lexeme)) {
      case 'newline':
        this.lineStart = true;
        this.indent = 0;
        this.indicators = 0;
        return;
      case 'space':
        if (this.lineStart) this.indent = lexeme.length;
        return;
      case 'comment':
      case 'byte-order-mark':
      case 'doc-mode':
        return;
      case 'flow-map-start':
      case 'flow-seq-start':
        this.content();
        this.flow += 1;
        return this.check();
      case 'flow-map-end':
      case 'flow-seq-end':
        this.flow = Math.max(0, this.flow - 1);
        return;
      case 'seq-item-ind':
      case 'explicit-key-ind':
      case 'map-value-ind':
        this.content();
        if (this.flow === 0) this.indicators += 1;
        return this.check();
      case 'anchor':
        if (++this.anchors > POLICY_LIMITS.max_aliases) throw new PolicyLimitError('max_aliases', 'too many anchors');
        return this.content();
      case 'alias':
        if (++this.aliases > POLICY_LIMITS.max_aliases) throw new PolicyLimitError('max_aliases', 'too many aliases');
        return this.content();
      default:
        return this.content();
    }
  }

  /** The first content of a block line closes the indentation levels at or right of it. */
  private content(): void {
    if (!this.lineStart) return;
    this.lineStart = false;
    if (this.flow > 0) return;
    while (this.indents.length > 0 && this.indents[this.indents.length - 1] >= this.indent) this.indents.pop();
    this.indents.push(this.indent);
    this.check();
  }

  private check(): void {
    if (this.indents.length + this.indicators + this.flow > POLICY_LIMITS.max_depth) throw new PolicyLimitError('max_depth', 'the text nests too deep');
  }
}

/** Keys are scalars and unique per map (as gait's strict decoder): one pass, a set per map, no recursion. */
function assertKeys(doc: Document.Parsed): void {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isScalar(pair.key)) throw new GateInputError('parse policy yaml: map keys must be plain scalars');
        const key = String(pair.key.value);
        if (seen.has(key)) throw new GateInputError(`parse policy yaml: map keys must be unique (${key.slice(0, 100)})`);
        seen.add(key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(isPair(item) ? item.value : item);
    }
    // Scalars and aliases hold no keys (an alias's target is checked where it is defined).
  }
}

/** The decoded value, aliases expanded, within max_nodes and max_depth (an alias may point at its own ancestor: a cycle stops at the depth bound). */
function assertSize(value: unknown): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (++nodes > POLICY_LIMITS.max_nodes) throw new PolicyLimitError('max_nodes', 'the document has too many values (aliases expanded)');
    if (typeof v !== 'object' || v === null) continue;
    if (depth > POLICY_LIMITS.max_depth) throw new PolicyLimitError('max_depth', 'the document nests too deep');
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
}
