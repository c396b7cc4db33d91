/**
 * Rewrites a menace rule condition (the restricted Python subset its `_safe_eval` accepts) into CEL.
 *
 * menace parses a condition with `ast.parse(mode="eval")` and allows only: `and`/`or`, `not`,
 * unary `+`/`-`, `+ - * / % ** //`, comparisons `== != < <= > >= is, is not, in, not in` (chained
 * too), names and constants (`True`/`False`/`None`, numbers, strings). Calls, attribute access and
 * subscripts are refused. This module tokenises the condition (string literals are single tokens,
 * so nothing inside them is ever rewritten), parses it with Python's precedence and emits CEL that
 * evaluates the same way, including where Python stops with an error:
 *
 * - `a and b` / `a or b` become ternaries (`a ? b : false`, `a ? true : b`), not `&&`/`||`. CEL's
 *   logical operators absorb errors in either operand (`null < 1.0 || true` is `true`), while Python
 *   evaluates left to right and raises at the first `None < 1`, which makes menace skip the rule.
 *   The conditional operator evaluates only the branch taken, as Python does.
 * - operands that are not already booleans are tested with `py_truthy()` (Python truthiness).
 * - numbers become CEL doubles (`1` -> `1.0`): scorecard values are doubles and CEL has no
 *   implicit int/double arithmetic.
 * - `is None` / `is not None` become `== null` / `!= null`; `is` is accepted only against
 *   `None`, `True` or `False` (identity of anything else has no CEL meaning).
 * - `/`, `//`, `%`, `**` and `in` call small helpers (`py_div`, `py_floordiv`, `py_mod`,
 *   `py_pow`, `py_in`) that follow Python (division by zero raises, `%` takes the divisor's sign).
 *
 * Anything outside the subset is a `PythonRewriteError` (the rule file is rejected).
 */

import { PythonRewriteError, tokenize, type Token } from './python-tokenize.js';

export { PythonRewriteError, tokenize };

export type PyNode =
  | { k: 'name'; id: string }
  | { k: 'const'; v: number | string | boolean | null }
  | { k: 'boolop'; op: 'and' | 'or'; values: PyNode[] }
  | { k: 'not'; operand: PyNode }
  | { k: 'unary'; op: '-' | '+'; operand: PyNode }
  | { k: 'bin'; op: string; left: PyNode; right: PyNode }
  | { k: 'cmp'; left: PyNode; ops: string[]; comparators: PyNode[] };

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i];
  }
  private isOp(v: string, offset = 0): boolean {
    const t = this.tokens[this.i + offset];
    return t?.t === 'op' && t.v === v;
  }
  private isKw(v: string, offset = 0): boolean {
    const t = this.tokens[this.i + offset];
    return t?.t === 'name' && t.v === v;
  }
  private fail(message: string): never {
    throw new PythonRewriteError(message, this.peek().pos);
  }

  parse(): PyNode {
    if (this.peek().t === 'eof') this.fail('empty condition');
    const node = this.orTest();
    if (this.peek().t !== 'eof') this.fail(`unexpected ${describe(this.peek())}`);
    return node;
  }

  private orTest(): PyNode {
    const values = [this.andTest()];
    while (this.isKw('or')) {
      this.i += 1;
      values.push(this.andTest());
    }
    return values.length === 1 ? values[0] : { k: 'boolop', op: 'or', values };
  }

  private andTest(): PyNode {
    const values = [this.notTest()];
    while (this.isKw('and')) {
      this.i += 1;
      values.push(this.notTest());
    }
    return values.length === 1 ? values[0] : { k: 'boolop', op: 'and', values };
  }

  private notTest(): PyNode {
    if (this.isKw('not')) {
      this.i += 1;
      return { k: 'not', operand: this.notTest() };
    }
    return this.comparison();
  }

  private compOp(): string | null {
    const t = this.peek();
    if (t.t === 'op' && ['<', '>', '==', '>=', '<=', '!='].includes(t.v)) {
      this.i += 1;
      return t.v;
    }
    if (this.isKw('in')) {
      this.i += 1;
      return 'in';
    }
    if (this.isKw('not') && this.isKw('in', 1)) {
      this.i += 2;
      return 'not in';
    }
    if (this.isKw('is')) {
      this.i += 1;
      if (this.isKw('not')) {
        this.i += 1;
        return 'is not';
      }
      return 'is';
    }
    return null;
  }

  private comparison(): PyNode {
    const left = this.arith();
    const ops: string[] = [];
    const comparators: PyNode[] = [];
    for (let op = this.compOp(); op; op = this.compOp()) {
      ops.push(op);
      comparators.push(this.arith());
    }
    return ops.length ? { k: 'cmp', left, ops, comparators } : left;
  }

  private binaryLevel(ops: string[], next: () => PyNode): PyNode {
    let left = next();
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op' || !ops.includes(t.v)) return left;
      this.i += 1;
      left = { k: 'bin', op: t.v, left, right: next() };
    }
  }

  private arith(): PyNode {
    return this.binaryLevel(['+', '-'], () => this.term());
  }

  private term(): PyNode {
    return this.binaryLevel(['*', '/', '//', '%'], () => this.factor());
  }

  private factor(): PyNode {
    if (this.isOp('-') || this.isOp('+')) {
      const op = (this.peek() as { v: '-' | '+' }).v;
      this.i += 1;
      return { k: 'unary', op, operand: this.factor() };
    }
    return this.power();
  }

  private power(): PyNode {
    const base = this.atom();
    if (this.isOp('**')) {
      this.i += 1;
      return { k: 'bin', op: '**', left: base, right: this.factor() }; // right-associative, binds tighter than unary on its left
    }
    return base;
  }

  private atom(): PyNode {
    const t = this.peek();
    if (t.t === 'op' && t.v === '(') {
      this.i += 1;
      if (this.isOp(')')) this.fail('empty parentheses (tuples) not allowed in a condition');
      const inner = this.orTest();
      if (!this.isOp(')')) this.fail(`expected ')' but found ${describe(this.peek())}`);
      this.i += 1;
      return this.noTrailer(inner);
    }
    if (t.t === 'num') {
      this.i += 1;
      return this.noTrailer({ k: 'const', v: t.v });
    }
    if (t.t === 'str') {
      let v = '';
      while (this.peek().t === 'str') {
        v += (this.peek() as { v: string }).v; // adjacent literals concatenate, as in Python
        this.i += 1;
      }
      return this.noTrailer({ k: 'const', v });
    }
    if (t.t === 'name') {
      if (['and', 'or', 'in', 'is', 'not'].includes(t.v)) this.fail(`unexpected '${t.v}'`);
      this.i += 1;
      const node: PyNode =
        t.v === 'True' ? { k: 'const', v: true } : t.v === 'False' ? { k: 'const', v: false } : t.v === 'None' ? { k: 'const', v: null } : { k: 'name', id: t.v };
      return this.noTrailer(node);
    }
    return this.fail(`unexpected ${describe(t)}`);
  }

  /** menace refuses calls (and `.`/`[` never tokenise), so `f(x)` is an error, not a parenthesised product. */
  private noTrailer(node: PyNode): PyNode {
    if (this.isOp('(')) this.fail('function calls not allowed in a condition');
    return node;
  }
}

function describe(t: Token): string {
  if (t.t === 'eof') return 'end of condition';
  if (t.t === 'str') return 'string literal';
  return `'${String(t.v)}'`;
}

export function parsePython(src: string): PyNode {
  return new Parser(tokenize(src)).parse();
}

/** A CEL double literal for a finite number: always with a fraction or exponent. */
export function celDouble(n: number): string {
  const s = String(n);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

function isBoolean(node: PyNode): boolean {
  return node.k === 'cmp' || node.k === 'not' || node.k === 'boolop' || (node.k === 'const' && typeof node.v === 'boolean');
}

const BINARY_HELPERS: Record<string, string> = { '/': 'py_div', '//': 'py_floordiv', '%': 'py_mod', '**': 'py_pow' };

class Emitter {
  constructor(private readonly names: ReadonlySet<string>) {}

  /** A CEL expression that yields a bool with Python's truthiness of `node`. */
  truth(node: PyNode): string {
    if (node.k === 'boolop') {
      const [first, ...rest] = node.values;
      if (!rest.length) return this.truth(first);
      const tail: PyNode = rest.length === 1 ? rest[0] : { k: 'boolop', op: node.op, values: rest };
      return node.op === 'and'
        ? `(${this.truth(first)} ? ${this.truth(tail)} : false)`
        : `(${this.truth(first)} ? true : ${this.truth(tail)})`;
    }
    if (isBoolean(node)) return this.value(node);
    return `py_truthy(${this.value(node)})`;
  }

  /** A CEL expression that yields the Python value of `node`. */
  value(node: PyNode): string {
    switch (node.k) {
      case 'name':
        if (!this.names.has(node.id)) {
          throw new PythonRewriteError(`unknown name '${node.id}' (known: ${[...this.names].sort().join(', ')})`, 0);
        }
        return node.id;
      case 'const':
        if (node.v === null) return 'null';
        if (typeof node.v === 'boolean') return String(node.v);
        if (typeof node.v === 'number') return celDouble(node.v);
        return JSON.stringify(node.v);
      case 'not':
        return `(!${this.truth(node.operand)})`;
      case 'unary':
        return node.op === '-' ? `(-${this.value(node.operand)})` : `(0.0 + ${this.value(node.operand)})`;
      case 'bin': {
        const helper = BINARY_HELPERS[node.op];
        const l = this.value(node.left);
        const r = this.value(node.right);
        return helper ? `${helper}(${l}, ${r})` : `(${l} ${node.op} ${r})`;
      }
      case 'boolop': {
        // Python returns the deciding operand itself, not a bool.
        const [first, ...rest] = node.values;
        if (!rest.length) return this.value(first);
        const tail: PyNode = rest.length === 1 ? rest[0] : { k: 'boolop', op: node.op, values: rest };
        return node.op === 'and'
          ? `(${this.truth(first)} ? ${this.value(tail)} : ${this.value(first)})`
          : `(${this.truth(first)} ? ${this.value(first)} : ${this.value(tail)})`;
      }
      case 'cmp': {
        const operands = [node.left, ...node.comparators];
        const pairs = node.ops.map((op, i) => this.comparePair(op, operands[i], operands[i + 1]));
        // a < b < c is a < b and b < c, stopping at the first false one
        return pairs.reduceRight((acc, pair) => `(${pair} ? ${acc} : false)`);
      }
    }
  }

  private comparePair(op: string, a: PyNode, b: PyNode): string {
    if (op === 'is' || op === 'is not') {
      const isSingleton = (n: PyNode) => n.k === 'const' && (n.v === null || typeof n.v === 'boolean');
      if (!isSingleton(a) && !isSingleton(b)) {
        throw new PythonRewriteError(`'${op}' is only supported against None, True or False`, 0);
      }
      return `(${this.value(a)} ${op === 'is' ? '==' : '!='} ${this.value(b)})`;
    }
    if (op === 'in') return `py_in(${this.value(a)}, ${this.value(b)})`;
    if (op === 'not in') return `(!py_in(${this.value(a)}, ${this.value(b)}))`;
    return `(${this.value(a)} ${op} ${this.value(b)})`;
  }
}

/** Rewrites a menace (Python-style) condition into a CEL expression that yields a bool. */
export function pythonToCel(condition: string, names: ReadonlySet<string>): string {
  return new Emitter(names).truth(parsePython(condition));
}
