import { PlatformErrorCode, WardenError } from '../errors/warden-error.js';

const KEY = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * The client key of a mutating call: `correlation_id` in the body or an `Idempotency-Key` header
 * (both given: they must be equal). Returns null when neither is given; throws 400 naming the field
 * when the key is malformed or the two disagree.
 */
export function idempotencyKey(bodyKey: string | undefined | null, headerKey: string | undefined | null): string | null {
  const header = headerKey?.trim() || undefined;
  const body = bodyKey ?? undefined;
  if (header !== undefined && body !== undefined && header !== body) {
    throw WardenError.badRequest(PlatformErrorCode.ValidationFailed, 'correlation_id and the Idempotency-Key header differ: send one key', {
      fields: [{ field: 'correlation_id', problems: ['differs from the Idempotency-Key header'] }],
    });
  }
  const key = body ?? header;
  if (key === undefined || key === '') return null;
  if (!KEY.test(key)) {
    const field = body !== undefined ? 'correlation_id' : 'idempotency-key';
    throw WardenError.badRequest(PlatformErrorCode.ValidationFailed, `invalid ${field}: must be 1-200 of [A-Za-z0-9._:-]`, {
      fields: [{ field, problems: ['must be 1-200 of [A-Za-z0-9._:-]'] }],
    });
  }
  return key;
}
