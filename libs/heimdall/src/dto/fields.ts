import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches } from 'class-validator';
import { CANONICAL_RATIO, normalizeRatio } from '../decide/ratio.js';

/**
 * A ratio in [0, 1], given as a JSON number or a decimal string, kept as its exact canonical
 * decimal string. Anything else is left as it came, so that validation names the field.
 */
export function RatioField(description: string, options: { optional?: boolean; example?: number } = {}) {
  const doc = { description, oneOf: [{ type: 'number', minimum: 0, maximum: 1 }, { type: 'string', pattern: '^\\d(\\.\\d{1,30})?$' }], example: options.example ?? 0.93 };
  const message = '$property must be a number in [0, 1] (a JSON number or a decimal string with at most 30 fraction digits)';
  return applyDecorators(
    options.optional ? ApiPropertyOptional(doc) : ApiProperty(doc),
    ...(options.optional ? [IsOptional()] : []),
    Transform(({ value }: { value: unknown }) => normalizeRatio(value) ?? value),
    IsString({ message }),
    Matches(CANONICAL_RATIO, { message }),
  );
}

/** The client's idempotency key: a retry with it returns the original outcome. */
export function CorrelationIdField(
  description = 'Client key: a retry with the same key and body returns the original; a different body is 409',
  max = 128,
) {
  return applyDecorators(
    ApiPropertyOptional({ description, example: 'offer-7f3a', maxLength: max }),
    IsOptional(),
    IsString(),
    Matches(new RegExp(`^[A-Za-z0-9._:-]{1,${max}}$`), { message: `correlation_id must be 1-${max} of [A-Za-z0-9._:-]` }),
  );
}
