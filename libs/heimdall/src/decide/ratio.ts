import { Decimal } from 'decimal.js';

// The input rule for ratios is the platform's; the exact arithmetic on them lives here.
export { CANONICAL_RATIO, normalizeRatio, RATIO_MAX_FRACTION_DIGITS } from '#platform';

/** Precise enough that sums of millions of 30-digit ratios and their quotients stay exact to display. */
export const D = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN });

/** An exact fraction num/den (den a power of ten) of a canonical decimal string. */
export interface Fraction {
  num: bigint;
  den: bigint;
}

export function toFraction(ratio: string): Fraction {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(ratio);
  if (!m) throw new Error(`not a decimal: ${ratio}`);
  const frac = m[2] ?? '';
  return { num: BigInt(m[1] + frac), den: 10n ** BigInt(frac.length) };
}

/** a >= b, exactly. */
export function ratioGte(a: string, b: string): boolean {
  const x = toFraction(a);
  const y = toFraction(b);
  return x.num * y.den >= y.num * x.den;
}

/** successes / trials >= rate, exactly (false for zero trials unless rate is 0). */
export function rateMeets(successes: number, trials: number, rate: string): boolean {
  const r = toFraction(rate);
  if (trials === 0) return r.num === 0n;
  return BigInt(successes) * r.den >= r.num * BigInt(trials);
}

/**
 * The fewest further trials, all successful, that lift successes/trials to at least `rate`;
 * 0 when it already meets it; null when no number can (rate 1 with a failure in the window).
 */
export function successesInARowNeeded(successes: number, trials: number, rate: string): number | null {
  if (rateMeets(successes, trials, rate)) return 0;
  if (trials === 0) return 1; // an undefined rate: one success makes it 1
  const r = toFraction(rate);
  // (s + n) / (t + n) >= R / S  <=>  n * (S - R) >= R*t - S*s
  const gap = r.num * BigInt(trials) - r.den * BigInt(successes);
  const per = r.den - r.num;
  if (per <= 0n) return null;
  return Number((gap + per - 1n) / per);
}

/** A ratio for display: at least 2 decimals, rounded down so a failing value never shows as the threshold. */
export function showRatioDown(value: string | number, digits: number): string {
  return new D(value).toDecimalPlaces(digits, Decimal.ROUND_DOWN).toFixed(digits);
}

/** How many fraction digits a canonical ratio has (at least 2, for display). */
export function displayDigits(ratio: string): number {
  const i = ratio.indexOf('.');
  return Math.max(2, i === -1 ? 0 : ratio.length - i - 1);
}
