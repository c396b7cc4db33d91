import { applyDecorators, ValidationPipe } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateBy, ValidateIf, ValidationError } from 'class-validator';
import { PlatformErrorCode, WardenError } from '../errors/warden-error.js';
import { numberSourceText } from './json-body.js';

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

/**
 * What a field's Transform leaves when the input broke the field's rule in a way validation can no
 * longer see (a number written `1e3` has become 1000): the validator fails with this problem.
 */
export class RejectedInput {
  constructor(readonly problem: string) {}
}

/** A canonical decimal integer string: no sign on zero, no leading zeros, spaces, fraction or exponent. */
const CANONICAL_INTEGER = /^(0|-?[1-9][0-9]*)$/;

export type IntegerParse = { ok: true; value: number } | { ok: false; problem: string };

/**
 * The one integer rule: a JSON number written as an integer (`42`; not `42.0`, `4.2e1` or `-0`),
 * or a string of canonical decimal digits (`"42"`: how query strings and form bodies carry it).
 * Nothing else is converted: not "", "  ", booleans, "0x10", "1e3", "-0", "1.0" or " 42".
 * `source` is how a JSON number was written when that was not its shortest form.
 */
export function parseInteger(input: unknown, source?: string): IntegerParse {
  if (typeof input === 'number') {
    if (source !== undefined) return { ok: false, problem: `must be written as an integer such as 42, not ${source}` };
    if (!Number.isSafeInteger(input) || Object.is(input, -0)) return { ok: false, problem: 'must be an integer' };
    return { ok: true, value: input };
  }
  if (typeof input === 'string') {
    if (!CANONICAL_INTEGER.test(input)) {
      return { ok: false, problem: 'must be an integer: a JSON integer or a string of decimal digits (no spaces, leading zeros, fraction, exponent or hex)' };
    }
    const value = Number(input);
    if (!Number.isSafeInteger(value)) return { ok: false, problem: 'must be an integer of at most 15 digits' };
    return { ok: true, value };
  }
  return { ok: false, problem: 'must be an integer' };
}

export interface IntegerFieldOptions {
  min: number;
  max: number;
  optional?: boolean;
  /** null is valid and kept (e.g. "unlimited"). */
  nullable?: boolean;
  example?: number;
}

/**
 * An integer field of a body or a query (see `parseInteger`), validated and documented at once;
 * the property ends up as a number in [min, max]. Left out it stays undefined when optional; null
 * is refused unless nullable.
 */
export function IntegerField(description: string, options: IntegerFieldOptions) {
  const { min, max } = options;
  const doc = {
    description: `${description} (an integer from ${min} to ${max}; a JSON integer or a string of decimal digits)`,
    type: 'integer' as const,
    minimum: min,
    maximum: max,
    nullable: options.nullable,
    example: options.example,
  };
  return applyDecorators(
    options.optional ? ApiPropertyOptional(doc) : ApiProperty(doc),
    ValidateIf((_o: object, v: unknown) => !(options.optional && v === undefined) && !(options.nullable && v === null)),
    Transform(({ value, obj, key }: { value: unknown; obj: unknown; key: string }) => {
      if (value === undefined || value === null) return value;
      const parsed = parseInteger(value, typeof value === 'number' ? numberSourceText(obj, key) : undefined);
      return parsed.ok ? parsed.value : new RejectedInput(parsed.problem);
    }),
    ValidateBy({
      name: 'isWardenInteger',
      validator: {
        validate: (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max,
        defaultMessage: (args) => {
          const v: unknown = args?.value;
          const property = args?.property ?? 'value';
          if (v instanceof RejectedInput) return `${property} ${v.problem}`;
          if (v === undefined) return `${property} is required`;
          if (v === null) return `${property} must not be null`;
          if (typeof v === 'number' && Number.isSafeInteger(v)) return `${property} must be between ${min} and ${max}`;
          return `${property} must be an integer`;
        },
      },
    }),
  );
}
