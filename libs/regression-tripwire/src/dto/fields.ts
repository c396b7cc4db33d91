import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches } from 'class-validator';

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

export const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A KPI value arrives as a JSON number or a decimal string; anything else (including "NaN",
 * "Infinity", "", booleans) stays as it is and fails IsNumber. A decimal string too large for a
 * double becomes Infinity and fails too.
 */
export const toFiniteNumberOrKeep = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value.trim()) : value;
