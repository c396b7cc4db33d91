import { createHmac, timingSafeEqual } from 'node:crypto';
import { fromJsonTree, JsonSyntaxError, parseJsonTree, pythonJsonDumps, toJsonTree, type JsonNode } from './canonical-json.js';
import { overrideDigest } from './digest.js';
import { PromotionInputError, pyTruthy } from './types.js';

/**
 * Signed break-glass overrides, compatible with menace's override_validator: a file
 * `{"data": {...}, "signature": "<hex>"}` where signature = hex(HMAC-SHA256(key, canonical(data)))
 * and canonical is Python's json.dumps with sorted keys and compact separators. The key is the
 * shared secret's bytes with surrounding ASCII whitespace removed (menace: `fh.read().strip()`).
 *
 * Only verifyOverride() makes a VerifiedOverride, and the evaluator takes no other kind, so no
 * path merges override flags without a valid signature. Single use (by the digest) is recorded by
 * the caller that owns the database; offline nothing is recorded.
 */

declare const verified: unique symbol;

export interface VerifiedOverride {
  readonly data: Readonly<Record<string, unknown>>;
  readonly signature: string;
  /** What single use is recorded by: see digest.ts. */
  readonly digest: string;
  /** Where the override came from (a file path), echoed as `override_path` as menace does. */
  readonly source?: string;
  readonly [verified]: true;
}

/** Python's bytes.strip(): ASCII whitespace at both ends. */
export function overrideKeyBytes(key: string | Uint8Array): Buffer {
  const buf = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  const ws = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
  let start = 0;
  let end = buf.length;
  while (start < end && ws(buf[start])) start += 1;
  while (end > start && ws(buf[end - 1])) end -= 1;
  return buf.subarray(start, end);
}

/** The signed bytes of `data`: a plain object (integral numbers are ints) or a parsed tree that kept the file's spelling. */
export function canonicalOverrideData(data: Record<string, unknown> | JsonNode): string {
  const node = isTree(data) ? data : toJsonTree(data);
  return pythonJsonDumps(node);
}

const isTree = (v: unknown): v is JsonNode => typeof v === 'object' && v !== null && 't' in v && (v as { t: unknown }).t === 'obj' && 'entries' in v;

/** hex HMAC-SHA256 of the canonical data: what menace's generate_signature returns. */
export function signOverrideData(data: Record<string, unknown> | JsonNode, key: string | Uint8Array): string {
  const k = overrideKeyBytes(key);
  if (k.length === 0) throw new PromotionInputError('invalid_override', 'the override key is empty');
  return createHmac('sha256', k).update(canonicalOverrideData(data), 'utf8').digest('hex');
}

/** menace's hmac.compare_digest(signature, expected): exact, constant-time, lower-case hex. */
function signatureMatches(signature: string, expected: string): boolean {
  const a = Buffer.from(signature, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Verifies an override file's text (or an already-parsed object, whose numbers are then taken as
 * JavaScript has them) against the key. Refuses a malformed file, a file marked `"used": true`
 * (menace marks files it consumed) and a bad signature, each with its own error code. With
 * `opts.domain` (the evaluation's domain, null for none), an override whose signed data names a
 * `domain` applies to that domain only (overrideAppliesTo).
 */
export function verifyOverride(file: string | Record<string, unknown>, key: string | Uint8Array, opts: { source?: string; domain?: string | null } = {}): VerifiedOverride {
  let root: JsonNode;
  try {
    root = typeof file === 'string' ? parseJsonTree(file) : toJsonTree(file);
  } catch (err) {
    if (err instanceof JsonSyntaxError || err instanceof TypeError) {
      throw new PromotionInputError('invalid_override', `override file is not valid JSON: ${err.message}`);
    }
    throw err;
  }
  if (root.t !== 'obj') throw new PromotionInputError('invalid_override', 'an override file is {"data": {...}, "signature": "..."}');
  const dataNode = root.entries.get('data');
  const sigNode = root.entries.get('signature');
  if (!dataNode || dataNode.t !== 'obj' || !sigNode || sigNode.t !== 'str') {
    throw new PromotionInputError('invalid_override', 'an override file is {"data": {...}, "signature": "..."}');
  }
  const used = root.entries.get('used');
  if (used && pyTruthy(fromJsonTree(used))) {
    throw new PromotionInputError('override_already_used', 'override file is marked used');
  }
  const expected = signOverrideData(dataNode, key);
  if (!signatureMatches(sigNode.v, expected)) {
    throw new PromotionInputError('override_bad_signature', 'override signature does not match its data');
  }
  const data = fromJsonTree(dataNode) as Record<string, unknown>;
  if (opts.domain !== undefined) overrideAppliesTo(data, opts.domain);
  return Object.freeze({
    data: Object.freeze(data),
    signature: sigNode.v,
    digest: overrideDigest(sigNode.v),
    ...(opts.source !== undefined ? { source: opts.source } : {}),
  }) as VerifiedOverride;
}

/**
 * The signature covers `data`, so a `domain` in it is what the signer allowed: an override signed
 * for one domain is refused on another, and on an evaluation that names no domain. Data without a
 * `domain` is menace's unscoped override and applies wherever it is given, as before.
 */
export function overrideAppliesTo(data: Readonly<Record<string, unknown>>, domain: string | null): void {
  if (!('domain' in data) || data.domain === null) return;
  const signed = data.domain;
  if (typeof signed !== 'string' || signed !== domain) {
    throw new PromotionInputError(
      'invalid_override',
      `this override was signed for domain ${JSON.stringify(signed)}, not for ${domain === null ? 'an evaluation without a domain' : JSON.stringify(domain)}`,
      { reason: 'override_domain_mismatch', signed_domain: signed, domain },
    );
  }
}
