import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';

/**
 * The digest that decides whether a retried key carries the same request: SHA-256 (base64url) of
 * the RFC 8785 canonical JSON of `{kind, ...fields}`. Canonical JSON makes it independent of key
 * order and number spelling; `kind` keeps two operations with equal fields apart. Undefined fields
 * are dropped, so give absent optional fields as null when their absence must count.
 */
export function requestDigest(kind: string, fields: Record<string, unknown>): string {
  const text = canonicalize({ kind, ...fields });
  if (text === undefined) throw new Error('requestDigest: fields are not JSON');
  return createHash('sha256').update(text).digest('base64url');
}
