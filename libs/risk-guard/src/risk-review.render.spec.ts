import { riskAttention, type RiskReviewSection } from './risk-review.render.js';

const peak = (engine: string, max_loss_ratio: string | null, max_loss_day: string | null): RiskReviewSection['peaks'][number] => ({
  engine,
  peak_ratio: max_loss_ratio,
  peak_day: max_loss_day,
  max_loss_ratio,
  max_loss_day,
  max_daily_loss: '100',
  realized_loss_week: '0',
});
const section = (peaks: RiskReviewSection['peaks']): RiskReviewSection => ({ denials: [], daily: [], peaks, expired_or_voided: [] });

describe('risk review section: needs attention', () => {
  it('lists an engine whose realized loss reached 80% of its daily loss cap, not one below or without a cap', () => {
    const items = riskAttention(section([peak('A', '0.8000', '2026-11-24'), peak('B', '0.7999', '2026-11-24'), peak('C', null, null), peak('D', '1.2000', '2026-11-25')]));
    expect(items.map((i) => [i.kind, i.subject])).toEqual([
      ['loss_cap_near', 'engine:A'],
      ['loss_cap_near', 'engine:D'],
    ]);
    expect(items[0].message).toBe('A reached 80% of its daily loss cap on 2026-11-24');
    expect(items[1].message).toBe('D reached 120% of its daily loss cap on 2026-11-25');
  });

  it('is empty for a quiet week', () => {
    expect(riskAttention(section([]))).toEqual([]);
  });
});
