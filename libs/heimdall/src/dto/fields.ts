import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';

export { RatioField } from '#platform';

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
