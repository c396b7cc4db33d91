/** Tokeniser for menace's restricted Python conditions: a string literal is one token, so nothing in it is ever rewritten. */

export class PythonRewriteError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'PythonRewriteError';
  }
}


export type Token =
  | { t: 'name'; v: string; pos: number }
  | { t: 'num'; v: number; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'eof'; pos: number };


const OPERATORS = ['**', '//', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '(', ')'];
const REFUSED_KEYWORDS = new Set([
  'if', 'else', 'lambda', 'for', 'while', 'import', 'from', 'def', 'class', 'return', 'yield', 'await',
  'async', 'with', 'as', 'del', 'global', 'nonlocal', 'pass', 'raise', 'try', 'except', 'finally',
  'assert', 'break', 'continue', 'elif',
]);
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '',
};

function readString(src: string, start: number, prefix: string): { value: string; end: number } {
  const raw = /r/i.test(prefix);
  let i = start;
  const quote = src[i];
  const triple = src.startsWith(quote.repeat(3), i);
  const close = triple ? quote.repeat(3) : quote;
  i += close.length;
  let out = '';
  for (;;) {
    if (i >= src.length) throw new PythonRewriteError('unterminated string literal', start);
    if (src.startsWith(close, i)) return { value: out, end: i + close.length };
    const ch = src[i];
    if (ch === '\n' && !triple) throw new PythonRewriteError('unterminated string literal', start);
    if (ch !== '\\') {
      out += ch;
      i += 1;
      continue;
    }
    const next = src[i + 1];
    if (next === undefined) throw new PythonRewriteError('unterminated string literal', start);
    if (raw) {
      out += ch + next; // a raw string keeps the backslash (and the quote it protects)
      i += 2;
      continue;
    }
    if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
      i += 2;
    } else if (/[0-7]/.test(next)) {
      const m = /^[0-7]{1,3}/.exec(src.slice(i + 1))![0];
      out += String.fromCharCode(parseInt(m, 8));
      i += 1 + m.length;
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const len = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = src.slice(i + 2, i + 2 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new PythonRewriteError(`bad \\${next} escape`, i);
      out += String.fromCodePoint(parseInt(hex, 16));
      i += 2 + len;
    } else if (next === 'N') {
      throw new PythonRewriteError('\\N{...} escapes are not supported', i);
    } else {
      out += ch + next; // Python keeps unknown escapes as written
      i += 2;
    }
  }
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (word) {
      const w = word[0];
      const after = src[i + w.length];
      if (/^[rRuU]$/.test(w) && (after === '"' || after === "'")) {
        const s = readString(src, i + w.length, w);
        tokens.push({ t: 'str', v: s.value, pos: i });
        i = s.end;
        continue;
      }
      if (/^[bBfF][rR]?$|^[rR][bBfF]$/.test(w) && (after === '"' || after === "'")) {
        throw new PythonRewriteError(`${w}-prefixed strings are not supported`, i);
      }
      if (REFUSED_KEYWORDS.has(w)) throw new PythonRewriteError(`'${w}' is not allowed in a condition`, i);
      tokens.push({ t: 'name', v: w, pos: i });
      i += w.length;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const s = readString(src, i, '');
      tokens.push({ t: 'str', v: s.value, pos: i });
      i = s.end;
      continue;
    }
    const num =
      /^0[xX](?:_?[0-9a-fA-F])+|^0[oO](?:_?[0-7])+|^0[bB](?:_?[01])+/.exec(src.slice(i)) ??
      /^(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?/.exec(src.slice(i));
    if (num) {
      const text = num[0].replace(/_/g, '');
      if (/^[A-Za-z0-9_]/.test(src[i + num[0].length] ?? '')) {
        throw new PythonRewriteError(`unsupported number literal near '${src.slice(i, i + num[0].length + 1)}'`, i);
      }
      const value = /^0[xob]/i.test(text)
        ? parseInt(text.slice(2), text[1].toLowerCase() === 'x' ? 16 : text[1].toLowerCase() === 'o' ? 8 : 2)
        : Number(text);
      if (!Number.isFinite(value)) throw new PythonRewriteError(`number literal out of range: ${num[0]}`, i);
      tokens.push({ t: 'num', v: value, pos: i });
      i += num[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) {
      tokens.push({ t: 'op', v: op, pos: i });
      i += op.length;
      continue;
    }
    const what =
      ch === '.' ? 'attribute access' : ch === '[' ? 'subscripts and lists' : ch === ',' ? 'tuples' : `'${ch}'`;
    throw new PythonRewriteError(`${what} not allowed in a condition`, i);
  }
  tokens.push({ t: 'eof', pos: src.length });
  return tokens;
}
