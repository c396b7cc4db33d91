import { Injectable } from '@nestjs/common';
import { ReviewSection, type ReviewSectionContract } from '#platform';
import { type LedgerDayUseRow, RiskReviewRepository } from './risk-review.repository.js';
import { RISK_GUARD } from './risk-guard.lever.js';
import { renderRiskSection, riskAttention, type RiskReviewSection } from './risk-review.render.js';

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const maxRatio = (...ratios: Array<string | null>) =>
  ratios.filter((r): r is string => r !== null).reduce<string | null>((m, r) => (m === null || Number(r) > Number(m) ? r : m), null);

/**
 * The risk guard's section of the weekly review: denials by engine and reason code, each engine's
 * daily use against its caps (from risk_ledger_day), reservations expired or voided, and realized
 * loss against the loss cap. Caps are the policy's current ones (the policy table is not versioned).
 */
@Injectable()
@ReviewSection(RISK_GUARD, { order: 20, render: renderRiskSection, attention: riskAttention })
export class RiskReviewService implements ReviewSectionContract<RiskReviewSection> {
  constructor(
    private readonly repo: RiskReviewRepository,
  ) {}

  async weekSection(from: Date, to: Date): Promise<RiskReviewSection> {
    const [denials, days, closed] = await Promise.all([
      this.repo.denialsByReason(from, to),
      this.repo.ledgerDays(isoDay(from), isoDay(to)),
      this.repo.closedByKind(from, to),
    ]);
    return {
      denials: denials.map((d) => ({ engine: d.engine, reason_code: d.reason_code, count: Number(d.denials) })),
      daily: days.map((d) => ({
        day: d.day,
        engine: d.engine,
        exposure_used: d.exposure_used,
        max_daily_exposure: d.max_daily_exposure,
        open_risk_reserved: d.open_risk_reserved,
        max_open_risk: d.max_open_risk,
        realized_loss: d.realized_loss,
        max_daily_loss: d.max_daily_loss,
        actions: Number(d.actions_count),
        max_actions_per_day: d.max_actions_per_day,
        denials: Number(d.denials_count),
        exposure_ratio: d.exposure_ratio,
        loss_ratio: d.loss_ratio,
        peak_ratio: maxRatio(d.exposure_ratio, d.open_risk_ratio, d.loss_ratio, d.actions_ratio),
      })),
      peaks: peaks(days),
      expired_or_voided: closed.map((c) => ({ engine: c.engine, kind: c.kind, count: Number(c.count), amount: c.amount })),
    };
  }
}

/** Per engine: the highest daily use ratio and the highest loss ratio of the week, and the week's realized loss. */
function peaks(days: LedgerDayUseRow[]) {
  const byEngine = new Map<string, { engine: string; peak_ratio: string | null; peak_day: string | null; max_loss_ratio: string | null; max_loss_day: string | null; realized_loss_cents: bigint; max_daily_loss: string | null }>();
  for (const d of days) {
    const e = byEngine.get(d.engine) ?? { engine: d.engine, peak_ratio: null, peak_day: null, max_loss_ratio: null, max_loss_day: null, realized_loss_cents: 0n, max_daily_loss: d.max_daily_loss };
    const peak = maxRatio(d.exposure_ratio, d.open_risk_ratio, d.loss_ratio, d.actions_ratio);
    if (peak !== null && (e.peak_ratio === null || Number(peak) > Number(e.peak_ratio))) Object.assign(e, { peak_ratio: peak, peak_day: d.day });
    if (d.loss_ratio !== null && (e.max_loss_ratio === null || Number(d.loss_ratio) > Number(e.max_loss_ratio))) Object.assign(e, { max_loss_ratio: d.loss_ratio, max_loss_day: d.day });
    e.realized_loss_cents += toUnits(d.realized_loss);
    byEngine.set(d.engine, e);
  }
  return [...byEngine.values()].map(({ realized_loss_cents, ...e }) => ({ ...e, realized_loss_week: fromUnits(realized_loss_cents) }));
}

/** Exact decimal sums at the ledger's 4 decimals, without floating point. */
function toUnits(amount: string): bigint {
  const [int, frac = ''] = amount.replace('-', '').split('.');
  const units = BigInt(int) * 10000n + BigInt((frac + '0000').slice(0, 4));
  return amount.startsWith('-') ? -units : units;
}

function fromUnits(units: bigint): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const frac = (abs % 10000n).toString().padStart(4, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${abs / 10000n}${frac ? `.${frac}` : ''}`;
}
