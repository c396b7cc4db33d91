import { Decimal } from 'decimal.js';

/** cap - used, exact; null when the cap is unlimited. */
export function headroom(cap: string | null, used: string): string | null {
  return cap === null ? null : new Decimal(cap).minus(new Decimal(used)).toFixed();
}

/** The exact sum of decimal strings. */
export function sumDecimals(values: string[]): string {
  return values.reduce((acc, v) => acc.plus(new Decimal(v)), new Decimal(0)).toFixed();
}

/** A decimal string without trailing zeros ("10.50" -> "10.5"). */
export function trimDecimal(value: string): string {
  return new Decimal(value).toFixed();
}
