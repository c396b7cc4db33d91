import { promotionAttention, type PromotionReviewSection } from './promotion-review-section.render.js';

const domain = (name: string | null, latest_verdict: string, reason_codes: string[]): PromotionReviewSection['domains'][number] => ({
  domain: name,
  decisions: 1,
  promote: 0,
  pilot: 0,
  demote: 0,
  no_go: 0,
  overrides_used: 0,
  latest_verdict,
  latest_at: '2026-11-25T10:00:00.000Z',
  reason_codes: reason_codes.map((reason_code) => ({ reason_code, count: 1 })),
});
const section = (domains: PromotionReviewSection['domains']): PromotionReviewSection => ({ decisions: domains.length, by_verdict: [], overrides_used: 0, domains, overrides: [] });

describe('promotion review section: needs attention', () => {
  it('lists a domain whose newest verdict of the week is a demotion; not one without a domain or promoted again', () => {
    const items = promotionAttention(section([domain('OFFERS', 'demote', ['alignment_veto']), domain('MATCH', 'promote', ['alignment_veto']), domain(null, 'demote', []), domain('QUIET', 'demote', [])]));
    expect(items.map((i) => [i.kind, i.subject])).toEqual([
      ['promotion_demoted', 'promotion:OFFERS'],
      ['promotion_demoted', 'promotion:QUIET'],
    ]);
    expect(items[0].message).toBe('OFFERS was demoted by its latest promotion verdict (alignment_veto)');
    expect(items[1].message).toBe('QUIET was demoted by its latest promotion verdict');
  });

  it('is empty for a week without verdicts', () => {
    expect(promotionAttention(section([]))).toEqual([]);
  });
});
