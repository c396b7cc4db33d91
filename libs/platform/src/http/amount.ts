import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, ValidateBy, ValidateIf } from 'class-validator';
import { numberSourceText } from './json-body.js';
import { RejectedInput } from './validation.js';

export const AMOUNT_MAX_FRACTION_DIGITS = 4;
export const AMOUNT_MAX_SIGNIFICANT_DIGITS = 15;
/** No valid amount is longer than this (15 digits, a point, leading zeros aside): longer input is refused before parsing. */
const MAX_INPUT_LENGTH = 40;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

export type AmountParse = { ok: true; value: string } | { ok: false; problem: string };

/**
 * Parses a money amount exactly: a JSON number or a decimal string, at most 4 fraction digits and 15
 * significant digits, no sign, no exponent. Returns the canonical decimal string ("010.50" -> "10.5")
 * so equal amounts always compare and digest equal. Never goes through float arithmetic: a number is
 * only turned into its shortest round-trip string, which is exact for every value of <= 15 digits.
 */
export function parseAmount(input: unknown, options: { allowZero?: boolean } = {}): AmountParse {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, problem: 'must be a finite decimal' };
    if (Object.is(input, -0) || input < 0) return { ok: false, problem: 'must not be negative' };
    text = String(input);
  } else if (typeof input === 'string') {
    text = input;
  } else {
    return { ok: false, problem: 'must be a decimal number or a decimal string' };
  }
  if (text.length > MAX_INPUT_LENGTH) return { ok: false, problem: `must have at most ${AMOUNT_MAX_SIGNIFICANT_DIGITS} significant digits` };
  if (text.startsWith('-')) return { ok: false, problem: 'must not be negative' };
  const m = DECIMAL.exec(text);
  if (!m) return { ok: false, problem: 'must be a plain decimal such as 125.5 (no sign, exponent or spaces)' };
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if ((m[2] ?? '').length > AMOUNT_MAX_FRACTION_DIGITS && fraction.length > AMOUNT_MAX_FRACTION_DIGITS) {
    return { ok: false, problem: `must have at most ${AMOUNT_MAX_FRACTION_DIGITS} fraction digits` };
  }
  const integer = m[1].replace(/^0+/, '');
  const significant = integer.length > 0 ? integer.length + fraction.length : fraction.replace(/^0+/, '').length;
  if (significant > AMOUNT_MAX_SIGNIFICANT_DIGITS) {
    return { ok: false, problem: `must have at most ${AMOUNT_MAX_SIGNIFICANT_DIGITS} significant digits` };
  }
  const value = (integer || '0') + (fraction ? `.${fraction}` : '');
  if (value === '0' && !options.allowZero) return { ok: false, problem: 'must be greater than 0' };
  return { ok: true, value };
}

/** A signed money amount: the amount rules (exact, at most 4 fraction digits, 15 significant) with an optional minus; never 0. */
export function parseSignedAmount(input: unknown): { ok: true; value: string } | { ok: false; problem: string } {
  let negative = false;
  let magnitude: unknown = input;
  if (typeof input === 'number' && (input < 0 || Object.is(input, -0))) {
    negative = true;
    magnitude = -input;
  } else if (typeof input === 'string' && input.startsWith('-')) {
    negative = true;
    magnitude = input.slice(1);
  }
  const parsed = parseAmount(magnitude, { allowZero: false });
  if (!parsed.ok) return { ok: false, problem: parsed.problem === 'must be greater than 0' ? 'must not be 0' : parsed.problem };
  return { ok: true, value: negative ? `-${parsed.value}` : parsed.value };
}

export interface AmountFieldOptions {
  /** 0 is valid (a realized loss, a cap that allows nothing). */
  allowZero?: boolean;
  optional?: boolean;
  /** null is valid and kept (an unlimited cap). */
  nullable?: boolean;
  example?: string;
}

/**
 * Validates and documents a money field at once; the property ends up as the canonical decimal string.
 * A JSON number is judged by how it was written (`numberSourceText`), so `1e3` is refused like the
 * string "1e3" and `1.50` is read as the decimal 1.50, not as a double. Exported for any code that
 * takes amounts (deals, offers, the gate).
 */
export function AmountField(description: string, options: AmountFieldOptions = {}) {
  const rule = options.allowZero ? 'a decimal >= 0' : 'a decimal > 0';
  const doc = {
    description: `${description} (${rule}, number or string, at most ${AMOUNT_MAX_FRACTION_DIGITS} fraction digits and ${AMOUNT_MAX_SIGNIFICANT_DIGITS} significant digits)`,
    type: String,
    example: options.example ?? '125.5',
    nullable: options.nullable,
  };
  return applyDecorators(
    options.optional ? ApiPropertyOptional(doc) : ApiProperty(doc),
    ...(options.optional ? [IsOptional()] : []),
    ...(options.nullable ? [ValidateIf((_o: object, v: unknown) => v !== null)] : []),
    Transform(({ value, obj, key }: { value: unknown; obj: unknown; key: string }) => {
      if (value === undefined || value === null) return value;
      const parsed = parseAmount(typeof value === 'number' ? (numberSourceText(obj, key) ?? value) : value, { allowZero: options.allowZero });
      return parsed.ok ? parsed.value : new RejectedInput(parsed.problem);
    }),
    ValidateBy({
      name: 'isAmount',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseAmount(value, { allowZero: options.allowZero }).ok,
        defaultMessage: (args) => {
          const value: unknown = args?.value;
          const parsed = value instanceof RejectedInput ? { ok: false as const, problem: value.problem } : parseAmount(value, { allowZero: options.allowZero });
          return `${args?.property ?? 'amount'} ${parsed.ok ? 'is invalid' : parsed.problem}`;
        },
      },
    }),
  );
}
