import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNumber, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { normalizeRatio } from '#platform';

/** An optional lower-case metric name (the platform's MetricField is always required). */
export function OptionalMetricField(description = 'KPI metric name (lower-case)') {
  return applyDecorators(
    ApiPropertyOptional({ description, example: 'contract_rate' }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value)),
    IsString(),
    Matches(/^[a-z0-9_]{1,64}$/, { message: '$property must match [a-z0-9_]{1,64}' }),
  );
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A KPI value arrives as a JSON number or a decimal string; anything else (including "NaN",
 * "Infinity", "", booleans) stays as it is and fails IsNumber. A decimal string too large for a
 * double becomes Infinity and fails too.
 */
export const toFiniteNumberOrKeep = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value.trim()) : value;

/**
 * An optional ratio of a tripwire policy, read by the platform's ratio rule (`normalizeRatio`: a JSON
 * number or a decimal string in [0, 1]) and kept as the double the detector compares with, within
 * [min, max]. `nullable`: null is a value (alpha: null turns the significance test off); otherwise
 * null is refused, and leaving the field out keeps the current value.
 */
export function PolicyRatioField(description: string, options: { min: number; max: number; example: number; nullable?: boolean }) {
  const message = `$property must be a number in [${options.min}, ${options.max}] (a JSON number or a decimal string)`;
  return applyDecorators(
    ApiPropertyOptional({
      description,
      // OpenAPI 3.0 wants `type` beside `nullable`: null is a value of the number branch only.
      oneOf: [
        { type: 'number', minimum: options.min, maximum: options.max, ...(options.nullable ? { nullable: true } : {}) },
        { type: 'string', pattern: '^\\d(\\.\\d{1,30})?$' },
      ],
      example: options.example,
    }),
    ValidateIf((_o: object, value: unknown) => value !== undefined && !(options.nullable && value === null)),
    Transform(({ value }: { value: unknown }) => {
      const ratio = normalizeRatio(value);
      return ratio === undefined ? value : Number(ratio);
    }),
    IsNumber({ allowNaN: false, allowInfinity: false }, { message }),
    Min(options.min, { message }),
    Max(options.max, { message }),
  );
}
