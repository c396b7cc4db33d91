import type { AttentionItem, ReviewRenderKit } from '#platform';

/**
 * The risk guard's section of the weekly review, as stored in the report (RiskReviewService
 * computes it; amounts and ratios are exact decimals as strings, ratios = used / cap, null without
 * a cap).
 */
export interface RiskReviewSection {
  denials: Array<{ engine: string; reason_code: string; count: number }>;
  daily: Array<{
    day: string;
    engine: string;
    exposure_used: string;
    max_daily_exposure: string | null;
    open_risk_reserved: string;
    max_open_risk: string | null;
    realized_loss: string;
    max_daily_loss: string | null;
    actions: number;
    max_actions_per_day: number | null;
    denials: number;
    exposure_ratio: string | null;
    loss_ratio: string | null;
    /** The highest of the day's ratios. */
    peak_ratio: string | null;
  }>;
  /** Per engine: the week's highest ratio and highest loss ratio with their days, and its realized loss. */
  peaks: Array<{
    engine: string;
    peak_ratio: string | null;
    peak_day: string | null;
    max_loss_ratio: string | null;
    max_loss_day: string | null;
    max_daily_loss: string | null;
    realized_loss_week: string;
  }>;
  expired_or_voided: Array<{ engine: string; kind: 'expire' | 'void'; count: number; amount: string }>;
}

/** An engine whose realized loss reached this share of its daily loss cap on some day needs attention. */
export const LOSS_CAP_ATTENTION_RATIO = 0.8;

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function riskAttention(d: RiskReviewSection): AttentionItem[] {
  const items: AttentionItem[] = [];
  for (const p of d.peaks ?? []) {
    if (p.max_loss_ratio !== null && Number(p.max_loss_ratio) >= LOSS_CAP_ATTENTION_RATIO) {
      const pct = Math.round(Number(p.max_loss_ratio) * 100);
      items.push({
        kind: 'loss_cap_near',
        subject: `engine:${p.engine}`,
        message: `${p.engine} reached ${pct}% of its daily loss cap on ${p.max_loss_day}`,
        href: '/console/risk',
        action: 'Review its caps on Risk today',
      });
    }
  }
  return items;
}

/** Daily utilisation per engine and denials by reason as charts (tables behind them), then peaks and closed reservations. */
export function renderRiskSection(d: RiskReviewSection, kit: ReviewRenderKit): string {
  const { figure, table, percent, humanize } = kit;
  const daily = d.daily ?? [];
  const days = Array.from({ length: 7 }, (_, i) => new Date(Date.parse(kit.week.from) + i * 86_400_000).toISOString().slice(0, 10));
  const dayLabels = days.map((day) => `${WEEKDAYS[new Date(`${day}T00:00:00Z`).getUTCDay()]} ${day.slice(5)}`);
  const engines = [...new Set(daily.map((r) => r.engine))];
  const series = engines.map((e) => ({ name: e, data: days.map((day) => percent(daily.find((r) => r.engine === e && r.day === day)?.peak_ratio ?? null)) }));
  const byReason = new Map<string, number>();
  for (const r of d.denials ?? []) byReason.set(r.reason_code, (byReason.get(r.reason_code) ?? 0) + r.count);
  const reasons = [...byReason.entries()].sort((a, b) => b[1] - a[1]);
  return [
    figure('chart-utilisation', 'Daily utilisation per engine: highest share of any cap used that day (%)', kit.groupedBars('Daily utilisation per engine', dayLabels, series, '%', 100),
      table('Daily use against caps', daily, ['day', 'engine', 'peak_ratio', 'exposure_used', 'max_daily_exposure', 'realized_loss', 'max_daily_loss', 'actions', 'denials'])),
    figure('chart-denials', 'Denials by reason code', kit.horizontalBars('Denials by reason', reasons.map((r) => humanize(r[0])), reasons.map((r) => r[1])), table('Denials by engine and reason', d.denials ?? [])),
    table('Peaks and realized loss against the loss cap, per engine', d.peaks ?? []),
    table('Reservations expired or voided', d.expired_or_voided ?? []),
  ].join('\n');
}
