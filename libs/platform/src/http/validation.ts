import { applyDecorators, ValidationPipe } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength, MinLength, ValidationError } from 'class-validator';
import { PlatformErrorCode, WardenError } from '../errors/warden-error.js';

function flatten(errors: ValidationError[], prefix = ''): Array<{ field: string; problems: string[] }> {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** The one validation setup: whitelist, unknown fields rejected, a 400 naming every bad field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return WardenError.badRequest(
        PlatformErrorCode.ValidationFailed,
        `invalid ${fields.map((f) => f.field).join(', ')}: ${fields.map((f) => f.problems.join('; ')).join('; ')}`,
        { fields },
      );
    },
  });
}

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** An engine or domain identifier: `[A-Z0-9_]{1,32}`, upper-cased on input. */
export function IdentifierField(description: string, optional = false) {
  return applyDecorators(
    optional ? ApiPropertyOptional({ description, example: 'WHOLESALE' }) : ApiProperty({ description, example: 'WHOLESALE' }),
    ...(optional ? [IsOptional()] : []),
    Transform(upper),
    IsString(),
    Matches(/^[A-Z0-9_]{1,32}$/, { message: '$property must match [A-Z0-9_]{1,32}' }),
  );
}

/** A metric name: lower-case `[a-z0-9_]{1,64}`. */
export function MetricField(description = 'KPI metric name (lower-case)') {
  return applyDecorators(
    ApiProperty({ description, example: 'contract_rate' }),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value)),
    IsString(),
    Matches(/^[a-z0-9_]{1,64}$/, { message: '$property must match [a-z0-9_]{1,64}' }),
  );
}

/** Free text such as a reason: trimmed, non-empty when required, at most `max` characters. */
export function TextField(description: string, options: { optional?: boolean; max?: number } = {}) {
  const max = options.max ?? 500;
  return applyDecorators(
    options.optional ? ApiPropertyOptional({ description, maxLength: max }) : ApiProperty({ description, maxLength: max }),
    ...(options.optional ? [IsOptional()] : []),
    Transform(trimmed),
    IsString(),
    ...(options.optional ? [] : [MinLength(1, { message: '$property must not be empty' })]),
    MaxLength(max),
  );
}

/** A boolean that also accepts the strings form bodies carry ("true"/"false"). */
export function BooleanField(description: string, optional = true) {
  return applyDecorators(
    optional ? ApiPropertyOptional({ description, type: Boolean }) : ApiProperty({ description, type: Boolean }),
    ...(optional ? [IsOptional()] : []),
    Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value)),
    IsBoolean(),
  );
}
