/**
 * Python's `fnmatch.fnmatch` on POSIX, as Autopack calls it: `*` matches any run of characters
 * including `/`, `?` any one character, `[seq]` / `[!seq]` a set (ranges, a leading `]` literal, an
 * unclosed `[` literal, a reversed range empty), case-sensitive (POSIX `normcase` is the identity),
 * whole-string. Compiled to tokens and matched without regular expressions, so a hostile pattern
 * cannot backtrack exponentially: the one-star-backtrack walk is O(path × pattern) at worst.
 */

export type Token =
  | { t: 'star' }
  | { t: 'any' }
  | { t: 'lit'; c: number }
  | { t: 'set'; negated: boolean; items: Array<[number, number]>; never?: true; always?: true };

export interface CompiledPattern {
  source: string;
  tokens: Token[];
  /** The literal code points before the first wildcard: the pattern set's index key. */
  prefix: string;
  /** No wildcard at all: an exact path. */
  exact: boolean;
}

const cp = (s: string) => Array.from(s, (ch) => ch.codePointAt(0)!);

/** Python 3's fnmatch.translate, reproduced: the set body `stuff` as it would reach `re`. */
function translateSet(chars: string[], i: number, j: number): string {
  const body = chars.slice(i, j).join('');
  if (!body.includes('-')) return body.replace(/\\/g, '\\\\');
  const chunks: string[] = [];
  let start = i;
  let k = chars[i] === '!' ? i + 2 : i + 1;
  for (;;) {
    const found = chars.indexOf('-', k);
    if (found < 0 || found >= j) break;
    chunks.push(chars.slice(start, found).join(''));
    start = found + 1;
    k = found + 3;
  }
  const last = chars.slice(start, j).join('');
  if (last) chunks.push(last);
  else chunks[chunks.length - 1] += '-';
  // Reversed ranges are empty: Python merges the chunks around them away.
  for (let m = chunks.length - 1; m > 0; m--) {
    const a = Array.from(chunks[m - 1]);
    const b = Array.from(chunks[m]);
    // (Python itself raises on an emptied chunk; here it simply stops merging.)
    if (a.length && b.length && a[a.length - 1].codePointAt(0)! > b[0].codePointAt(0)!) {
      chunks[m - 1] = a.slice(0, -1).join('') + b.slice(1).join('');
      chunks.splice(m, 1);
    }
  }
  return chunks.map((s) => s.replace(/\\/g, '\\\\').replace(/-/g, '\\-')).join('-');
}

/** Reads a translated set body as `re` would: escapes are literals, `a-b` a range, any other `-` literal. */
function parseSet(stuff: string): Token {
  if (!stuff) return { t: 'set', negated: false, items: [], never: true };
  if (stuff === '!') return { t: 'set', negated: false, items: [], always: true };
  let negated = false;
  let chars = Array.from(stuff);
  if (chars[0] === '!') {
    negated = true;
    chars = chars.slice(1);
  }
  const atoms: Array<{ c: number; escaped: boolean }> = [];
  for (let k = 0; k < chars.length; k++) {
    if (chars[k] === '\\' && k + 1 < chars.length) atoms.push({ c: chars[++k].codePointAt(0)!, escaped: true });
    else atoms.push({ c: chars[k].codePointAt(0)!, escaped: false });
  }
  const items: Array<[number, number]> = [];
  const DASH = 45;
  for (let k = 0; k < atoms.length; k++) {
    const a = atoms[k];
    const dash = atoms[k + 1];
    if (dash && dash.c === DASH && !dash.escaped && k + 2 < atoms.length) {
      items.push([a.c, atoms[k + 2].c]);
      k += 2;
    } else items.push([a.c, a.c]);
  }
  return { t: 'set', negated, items };
}

export function compileFnmatch(pattern: string): CompiledPattern {
  const chars = Array.from(pattern);
  const tokens: Token[] = [];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i++];
    if (c === '*') {
      if (tokens[tokens.length - 1]?.t !== 'star') tokens.push({ t: 'star' });
    } else if (c === '?') {
      tokens.push({ t: 'any' });
    } else if (c === '[') {
      let j = i;
      if (j < chars.length && chars[j] === '!') j++;
      if (j < chars.length && chars[j] === ']') j++;
      while (j < chars.length && chars[j] !== ']') j++;
      if (j >= chars.length) {
        tokens.push({ t: 'lit', c: 91 });
      } else {
        tokens.push(parseSet(translateSet(chars, i, j)));
        i = j + 1;
      }
    } else {
      tokens.push({ t: 'lit', c: c.codePointAt(0)! });
    }
  }
  return finish(pattern, tokens);
}

/**
 * The RiskScorer's own match (risk_scorer.py `_matches_pattern`): `re.match(pattern.replace("*",
 * ".*"), path)`, i.e. anchored at the start only, `*` any run and `.` any one character. Policies
 * may use only those two specials in the scorer's list (policy.ts refuses other regex syntax), so
 * this reproduces Autopack's decisions without running a user-supplied regular expression.
 */
export function compileScorerPattern(pattern: string): CompiledPattern {
  const tokens: Token[] = [];
  for (const ch of Array.from(pattern)) {
    if (ch === '*') {
      if (tokens[tokens.length - 1]?.t !== 'star') tokens.push({ t: 'star' });
    } else if (ch === '.') tokens.push({ t: 'any' });
    else tokens.push({ t: 'lit', c: ch.codePointAt(0)! });
  }
  if (tokens[tokens.length - 1]?.t !== 'star') tokens.push({ t: 'star' });
  return finish(pattern, tokens);
}

function finish(source: string, tokens: Token[]): CompiledPattern {
  let prefix = '';
  for (const tok of tokens) {
    if (tok.t !== 'lit') break;
    prefix += String.fromCodePoint(tok.c);
  }
  return { source, tokens, prefix, exact: tokens.every((tok) => tok.t === 'lit') };
}

function one(tok: Token, c: number): boolean {
  switch (tok.t) {
    case 'any':
      return true;
    case 'lit':
      return tok.c === c;
    case 'set': {
      if (tok.never) return false;
      if (tok.always) return true;
      const inSet = tok.items.some(([lo, hi]) => c >= lo && c <= hi);
      return inSet !== tok.negated;
    }
    default:
      return false;
  }
}

/** Whether the code points `path` match the compiled pattern, whole-string. */
export function matchCodePoints(p: CompiledPattern, path: readonly number[]): boolean {
  const tok = p.tokens;
  let pi = 0;
  let si = 0;
  let starAt = -1;
  let starSi = 0;
  while (si < path.length) {
    if (pi < tok.length && tok[pi].t === 'star') {
      starAt = pi++;
      starSi = si;
    } else if (pi < tok.length && one(tok[pi], path[si])) {
      pi++;
      si++;
    } else if (starAt >= 0) {
      // `*` matches anything, so only the latest star needs to give back characters.
      pi = starAt + 1;
      si = ++starSi;
    } else return false;
  }
  while (pi < tok.length && tok[pi].t === 'star') pi++;
  return pi === tok.length;
}

export function fnmatch(path: string, pattern: string): boolean {
  return matchCodePoints(compileFnmatch(pattern), cp(path));
}

export const codePoints = cp;
