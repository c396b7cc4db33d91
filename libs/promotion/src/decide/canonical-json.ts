/**
 * The bytes menace signs: Python's `json.dumps(data, sort_keys=True, separators=(",", ":"))`
 * (ensure_ascii on, so everything past ASCII is a \uXXXX escape; keys sorted by code point;
 * floats written by Python's repr, so `1.0` stays `1.0` while the integer `1` is `1`).
 *
 * JSON.parse forgets whether `1.0` was written with a fraction, which changes the signed bytes, so
 * an override file is parsed here into a tree that keeps each number's spelling.
 */

export type JsonNode =
  | { t: 'null' }
  | { t: 'bool'; v: boolean }
  | { t: 'int'; src: string }
  | { t: 'float'; v: number }
  | { t: 'str'; v: string }
  | { t: 'arr'; items: JsonNode[] }
  | { t: 'obj'; entries: Map<string, JsonNode> };

export class JsonSyntaxError extends Error {}

export function parseJsonTree(text: string): JsonNode {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i += 1;
  };
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at offset ${i}`);
  };
  const value = (): JsonNode => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i += 1;
      const entries = new Map<string, JsonNode>();
      ws();
      if (text[i] === '}') {
        i += 1;
        return { t: 'obj', entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = string();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i += 1;
        entries.delete(key); // Python keeps the last duplicate
        entries.set(key, value());
        ws();
        if (text[i] === ',') {
          i += 1;
          continue;
        }
        if (text[i] === '}') {
          i += 1;
          return { t: 'obj', entries };
        }
        fail("expected ',' or '}'");
      }
    }
    if (ch === '[') {
      i += 1;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === ']') {
        i += 1;
        return { t: 'arr', items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') {
          i += 1;
          continue;
        }
        if (text[i] === ']') {
          i += 1;
          return { t: 'arr', items };
        }
        fail("expected ',' or ']'");
      }
    }
    if (ch === '"') return { t: 'str', v: string() };
    for (const [word, node] of [['true', { t: 'bool', v: true }], ['false', { t: 'bool', v: false }], ['null', { t: 'null' }]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return node;
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) return fail('unexpected character');
    i += m[0].length;
    return m[1] !== undefined || m[2] !== undefined ? { t: 'float', v: Number(m[0]) } : { t: 'int', src: m[0] };
  };
  const string = (): string => {
    const start = i;
    i += 1;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i += 1;
      else if (text.charCodeAt(i) < 0x20) fail('control character in string');
      i += 1;
    }
    if (i >= text.length) fail('unterminated string');
    i += 1;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const root = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return root;
}

/** The tree for a plain JavaScript value (what a caller builds in code): integral numbers are ints. */
export function toJsonTree(value: unknown): JsonNode {
  if (value === null) return { t: 'null' };
  if (typeof value === 'boolean') return { t: 'bool', v: value };
  if (typeof value === 'number') {
    return Number.isInteger(value) && !Object.is(value, -0) ? { t: 'int', src: BigInt(value).toString() } : { t: 'float', v: value };
  }
  if (typeof value === 'string') return { t: 'str', v: value };
  if (Array.isArray(value)) return { t: 'arr', items: value.map(toJsonTree) };
  if (typeof value === 'object') {
    return { t: 'obj', entries: new Map(Object.entries(value as object).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toJsonTree(v)])) };
  }
  throw new TypeError(`cannot serialise a ${typeof value}`);
}

export function fromJsonTree(node: JsonNode): unknown {
  switch (node.t) {
    case 'null':
      return null;
    case 'bool':
    case 'float':
    case 'str':
      return node.v;
    case 'int':
      return Number(node.src);
    case 'arr':
      return node.items.map(fromJsonTree);
    case 'obj':
      return Object.fromEntries([...node.entries].map(([k, v]) => [k, fromJsonTree(v)]));
  }
}

/** Python's repr() of a float. */
export function pyFloatRepr(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const sign = v < 0 ? '-' : '';
  const [mantissa, expText] = Math.abs(v).toExponential().split('e'); // shortest round-trip digits, as Python
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const frac = digits.slice(1);
    return `${sign}${digits[0]}${frac ? `.${frac}` : ''}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac || '0'}`;
}

function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`; // Python escapes all but ' '..'~'
    else out += ch;
  }
  return `${out}"`;
}

/** Python sorts str keys by code point; JavaScript's default sort compares UTF-16 units. */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

export function pythonJsonDumps(node: JsonNode): string {
  switch (node.t) {
    case 'null':
      return 'null';
    case 'bool':
      return node.v ? 'true' : 'false';
    case 'int':
      return BigInt(node.src).toString();
    case 'float':
      return pyFloatRepr(node.v);
    case 'str':
      return pyString(node.v);
    case 'arr':
      return `[${node.items.map(pythonJsonDumps).join(',')}]`;
    case 'obj':
      return `{${[...node.entries.keys()]
        .sort(byCodePoint)
        .map((k) => `${pyString(k)}:${pythonJsonDumps(node.entries.get(k)!)}`)
        .join(',')}}`;
  }
}
