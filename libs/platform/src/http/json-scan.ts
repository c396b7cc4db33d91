/**
 * The rules a JSON body must meet before it is parsed, checked in one pass over its text:
 * - nested at most `MAX_JSON_DEPTH` levels (deeper bodies would overflow recursive walkers such
 *   as class-transformer long before the 1 MiB body limit: 5,000 levels did);
 * - no NUL (`\u0000`) and no unpaired surrogate in any string or key (PostgreSQL refuses both,
 *   which surfaced as 500/503);
 * - every number means exactly what it says: its value is the value of the double `JSON.parse`
 *   makes of it (`1.00000000000000001` would silently become 1; `1e400` Infinity).
 *
 * The scan is iterative (no recursion, so no depth can overflow it) and tolerant: on text that is
 * not JSON it reports nothing and leaves the refusal to `JSON.parse`.
 */
export const MAX_JSON_DEPTH = 64;

export const InputErrorCode = {
  InvalidJson: 'invalid_json',
  InvalidNumber: 'invalid_number',
  InvalidString: 'invalid_string',
} as const;
export type InputErrorCode = (typeof InputErrorCode)[keyof typeof InputErrorCode];

export type JsonPath = Array<string | number>;

export interface ScanProblem {
  code: InputErrorCode;
  /** Where, as keys and indexes from the root (`[]` is the body itself). */
  path: JsonPath;
  /** What is wrong, without the path. */
  message: string;
}

/** A number whose text is exact but not the shortest form (`1.50`, `1e3`, `-0`): kept for field rules. */
export interface NumberSource {
  path: JsonPath;
  text: string;
}

export interface ScanResult {
  problem?: ScanProblem;
  numbers: NumberSource[];
}

/**
 * `canonical`: the text is exactly `String(Number(text))` (what JSON.stringify writes);
 * `exact`: another spelling of the same decimal value (`1.50`, `1e3`, `-0`, `0.0000001`);
 * `inexact`: the double is not the decimal written (too many digits, out of range);
 * `not_a_number`: not a JSON number at all (left to JSON.parse).
 */
export type NumberVerdict = 'canonical' | 'exact' | 'inexact' | 'not_a_number';

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** The exact decimal value of a number's text as `digits e exponent` with no redundant zeros ("0" for zero of either sign). */
function decimalKey(text: string): string {
  const negative = text.startsWith('-');
  const e = text.search(/[eE]/);
  const mantissa = text.slice(negative ? 1 : 0, e < 0 ? text.length : e);
  let exponent = e < 0 ? 0 : Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  let digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  if (dot >= 0) exponent -= mantissa.length - dot - 1;
  digits = digits.replace(/^0+/, '');
  if (!digits) return '0';
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  return `${negative ? '-' : ''}${trimmed}e${exponent}`;
}

/** Compares the decimal a number's text writes with the shortest decimal of the double it parses to. */
export function judgeNumber(text: string): NumberVerdict {
  const value = Number(text);
  const shortest = String(value);
  // The common case first, without a regex: what JSON.stringify writes (always valid JSON when finite).
  if (shortest === text && Number.isFinite(value)) return 'canonical';
  if (!JSON_NUMBER.test(text)) return 'not_a_number';
  if (!Number.isFinite(value)) return 'inexact';
  return decimalKey(text) === decimalKey(shortest) ? 'exact' : 'inexact';
}

/** `events.3.value`; the body itself is `(body)`. */
export function formatPath(path: JsonPath): string {
  return path.length === 0 ? '(body)' : path.join('.');
}

interface Frame {
  array: boolean;
  /** The current index (array) or the last key read (object). */
  key: string | number | undefined;
  /** In an object, the next string is a key. */
  expectKey: boolean;
}

// The characters inside a string that need a look: its end, an escape, NUL, any surrogate.
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const STRING_SPECIAL = /["\\\u0000\ud800-\udfff]/g;
const isHigh = (u: number) => u >= 0xd800 && u <= 0xdbff;
const isLow = (u: number) => u >= 0xdc00 && u <= 0xdfff;
const isNumberChar = (c: number) => (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x65 || c === 0x45;

/** Scans JSON text for the problems above; stops at the first one. */
export function scanJson(text: string, maxDepth = MAX_JSON_DEPTH): ScanResult {
  const frames: Frame[] = [];
  const numbers: NumberSource[] = [];
  const n = text.length;
  const path = (): JsonPath => frames.map((f) => f.key ?? '?');
  const fail = (code: InputErrorCode, at: JsonPath, message: string): ScanResult => ({ problem: { code, path: at, message }, numbers });
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const top = frames[frames.length - 1];
      const isKey = top !== undefined && !top.array && top.expectKey;
      const scanned = scanString(text, i + 1);
      if (scanned.problem) {
        return fail(InputErrorCode.InvalidString, path(), isKey ? `${scanned.problem} (in a key)` : scanned.problem);
      }
      if (isKey) top.key = decodeKey(text, i, scanned.end, scanned.escaped);
      i = scanned.end;
    } else if (c === 0x7b || c === 0x5b) {
      if (frames.length >= maxDepth) {
        return fail(InputErrorCode.InvalidJson, [], `the body is nested deeper than ${maxDepth} levels`);
      }
      frames.push({ array: c === 0x5b, key: c === 0x5b ? 0 : undefined, expectKey: c === 0x7b });
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      frames.pop();
      i++;
    } else if (c === 0x2c) {
      const top = frames[frames.length - 1];
      if (top?.array) top.key = (top.key as number) + 1;
      else if (top) top.expectKey = true;
      i++;
    } else if (c === 0x3a) {
      const top = frames[frames.length - 1];
      if (top && !top.array) top.expectKey = false;
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < n && isNumberChar(text.charCodeAt(j))) j++;
      const token = text.slice(i, j);
      const verdict = judgeNumber(token);
      if (verdict === 'inexact') {
        const shown = token.length > 40 ? `${token.slice(0, 37)}...` : token;
        return fail(
          InputErrorCode.InvalidNumber,
          path(),
          `the number ${shown} cannot be read exactly (more digits than a double keeps, or out of range): send the shortest form, or a decimal string where the field accepts one`,
        );
      }
      if (verdict === 'exact') numbers.push({ path: path(), text: token });
      i = j;
    } else {
      i++;
    }
  }
  return { numbers };
}

interface ScannedString {
  /** Index just after the closing quote (or the end of the text). */
  end: number;
  escaped: boolean;
  problem?: string;
}

/** From just after an opening quote: finds the closing quote, refusing NUL and unpaired surrogates (raw or escaped). */
function scanString(text: string, from: number): ScannedString {
  let j = from;
  let escaped = false;
  // The index where a low surrogate must come to pair with the high one just seen; -1 if none is due.
  let lowDueAt = -1;
  for (;;) {
    STRING_SPECIAL.lastIndex = j;
    const m = STRING_SPECIAL.exec(text);
    const at = m ? m.index : text.length;
    if (lowDueAt >= 0 && at !== lowDueAt) return { end: at, escaped, problem: 'unpaired surrogate in a string' };
    if (!m) return { end: text.length, escaped };
    const c = text.charCodeAt(at);
    if (c === 0x22) return lowDueAt >= 0 ? { end: at + 1, escaped, problem: 'unpaired surrogate in a string' } : { end: at + 1, escaped };
    let unit: number;
    if (c === 0x5c) {
      escaped = true;
      if (text.charCodeAt(at + 1) === 0x75) {
        const hex = text.slice(at + 2, at + 6);
        unit = /^[0-9a-fA-F]{4}$/.test(hex) ? parseInt(hex, 16) : -1;
        j = at + 6;
      } else {
        unit = -1;
        j = at + 2;
      }
    } else {
      unit = c;
      j = at + 1;
    }
    if (unit === 0) return { end: j, escaped, problem: 'NUL (\\u0000) is not allowed in a string' };
    if (lowDueAt >= 0) {
      if (!isLow(unit)) return { end: j, escaped, problem: 'unpaired surrogate in a string' };
      lowDueAt = -1;
    } else if (isHigh(unit)) {
      lowDueAt = j;
    } else if (isLow(unit)) {
      return { end: j, escaped, problem: 'unpaired surrogate in a string' };
    }
  }
}

function decodeKey(text: string, start: number, end: number, escaped: boolean): string | undefined {
  if (!escaped) return text.slice(start + 1, end - 1);
  try {
    return JSON.parse(text.slice(start, end)) as string;
  } catch {
    return undefined;
  }
}
