import { IDEMPOTENCY_KEY_PATTERN, requestDigest } from '#platform';

/**
 * A client key namespaced for the lever this app calls (`deal:<key>`), within the one key rule: a
 * key too long to carry the prefix is replaced by its digest, so every valid client key stays valid.
 */
export function scopedKey(prefix: string, key: string): string {
  const scoped = `${prefix}:${key}`;
  return IDEMPOTENCY_KEY_PATTERN.test(scoped) ? scoped : `${prefix}:${requestDigest('client_key', { key })}`;
}
