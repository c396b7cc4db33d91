import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches } from 'class-validator';
import { Decimal } from 'decimal.js';

/**
 * Ratios (confidence, thresholds, success rates, drop fractions) are exact decimals in [0, 1].
 * Clients send JSON numbers or decimal strings; Warden keeps the decimal the client meant (the
 * shortest decimal of a JSON number) and compares them exactly.
 */
export const RATIO_MAX_FRACTION_DIGITS = 30;

/** The canonical text of a ratio: `0`, `1`, or `0.` followed by 1-30 digits, no trailing zeros. */
export const CANONICAL_RATIO = /^(0(\.\d{0,29}[1-9])?|1)$/;

const DECIMAL_TEXT = /^\d{1,3}(\.\d{1,30})?$/;
const D = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN });

/**
 * The canonical decimal string of a ratio given as a JSON number or a decimal string, or undefined
 * when it is not a ratio. A number's binary tail below 1e-30 is cut (rounded down, so a confidence
 * is never raised); a string must already be exact (at most 30 fraction digits).
 */
export function normalizeRatio(value: unknown): string | undefined {
  let d: Decimal;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    d = new D(value).toDecimalPlaces(RATIO_MAX_FRACTION_DIGITS, Decimal.ROUND_DOWN);
  } else if (typeof value === 'string') {
    const s = value.trim();
    if (!DECIMAL_TEXT.test(s)) return undefined;
    d = new D(s);
  } else {
    return undefined;
  }
  if (d.isNegative() || d.gt(1)) return undefined;
  return d.isZero() ? '0' : d.toFixed();
}

/**
 * A ratio a client gives, kept exactly or refused (undefined): normalizeRatio's rule, except that a
 * number whose shortest decimal has more than 30 fraction digits is refused instead of cut. Cut, a
 * `confidence: 1e-308` would be stored as 0: a different value from the one the client sent.
 */
export function exactRatio(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && new D(value).decimalPlaces() > RATIO_MAX_FRACTION_DIGITS) return undefined;
  return normalizeRatio(value);
}

/**
 * A ratio in [0, 1], given as a JSON number or a decimal string, kept as its exact canonical
 * decimal string (exactRatio). Anything else is left as it came, so that validation names the field.
 */
export function RatioField(description: string, options: { optional?: boolean; example?: number } = {}) {
  const doc = { description, oneOf: [{ type: 'number', minimum: 0, maximum: 1 }, { type: 'string', pattern: '^\\d(\\.\\d{1,30})?$' }], example: options.example ?? 0.93 };
  const message = '$property must be a number in [0, 1] (a JSON number or a decimal string with at most 30 fraction digits: a smaller non-zero value cannot be stored exactly)';
  return applyDecorators(
    options.optional ? ApiPropertyOptional(doc) : ApiProperty(doc),
    ...(options.optional ? [IsOptional()] : []),
    Transform(({ value }: { value: unknown }) => exactRatio(value) ?? value),
    IsString({ message }),
    Matches(CANONICAL_RATIO, { message }),
  );
}
