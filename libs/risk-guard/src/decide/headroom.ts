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

/** What is left under each cap of a scope (null = unlimited), given the day's usage. */
export function scopeHeadroom(
  caps: { max_daily_exposure: string | null; max_open_risk: string | null; max_daily_loss: string | null; max_actions_per_day: number | null },
  usage: { exposure_used: string; open_risk_reserved: string; realized_loss: string; actions_count: number },
): { exposure: string | null; open_risk: string | null; loss: string | null; actions: number | null } {
  return {
    exposure: headroom(caps.max_daily_exposure, usage.exposure_used),
    open_risk: headroom(caps.max_open_risk, usage.open_risk_reserved),
    loss: headroom(caps.max_daily_loss, usage.realized_loss),
    actions: caps.max_actions_per_day === null ? null : caps.max_actions_per_day - usage.actions_count,
  };
}
