import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { PlatformErrorCode, WardenError } from '../errors/warden-error.js';

/** The one client-key rule of every lever: 1-200 of [A-Za-z0-9._:-]. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;
const RULE = 'must be 1-200 of [A-Za-z0-9._:-]';

/** `correlation_id` in a request body: the client's idempotency key (or send an Idempotency-Key header). */
export function CorrelationIdField(description = 'Idempotency key: a retry with the same key and body returns the original answer', optional = true) {
  return applyDecorators(
    optional ? ApiPropertyOptional({ description, example: 'deal-2025-11-21-0001', pattern: IDEMPOTENCY_KEY_PATTERN.source }) : ApiProperty({ description, example: 'deal-2025-11-21-0001', pattern: IDEMPOTENCY_KEY_PATTERN.source }),
    ...(optional ? [IsOptional()] : []),
    IsString(),
    Matches(IDEMPOTENCY_KEY_PATTERN, { message: `$property ${RULE}` }),
  );
}

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
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    const field = body !== undefined ? 'correlation_id' : 'idempotency-key';
    throw WardenError.badRequest(PlatformErrorCode.ValidationFailed, `invalid ${field}: ${RULE}`, {
      fields: [{ field, problems: [RULE] }],
    });
  }
  return key;
}
