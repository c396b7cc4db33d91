import { createHash } from 'node:crypto';

/**
 * The identity of an override for single use: SHA-256 (hex) of its signature. The signature is a
 * function of the data and the key alone, so copying, renaming or re-formatting the file keeps the
 * digest and a replay is caught; issuing a second override with the same flags needs different
 * data (menace files carry none, so add e.g. an `issued_at` or `nonce` field).
 */
export function overrideDigest(signature: string): string {
  return createHash('sha256').update(signature, 'utf8').digest('hex');
}
