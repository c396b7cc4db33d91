import { createHash } from 'node:crypto';

/**
 * The fingerprint of a reserve request's body, stored beside its outcome: a retry under the same
 * correlation_id with the same digest gets the original answer, with another digest a 409.
 * The amount must already be canonical (parseAmount), so "10.50" and 10.5 are the same body.
 */
export function reserveDigest(input: { engine: string; amount: string; reason?: string | null }): string {
  return createHash('sha256').update(`reserve\n${input.engine}\n${input.amount}\n${input.reason ?? ''}`).digest('base64url');
}
