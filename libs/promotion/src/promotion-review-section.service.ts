import { Injectable } from '@nestjs/common';
import { ReviewSection, type ReviewSectionContract } from '#platform';
import { PromotionReviewSectionRepository } from './promotion-review-section.repository.js';
import { PROMOTION } from './promotion.lever.js';
import { promotionAttention, type PromotionReviewSection, renderPromotionSection } from './promotion-review-section.render.js';

const VERDICTS = ['promote', 'borderline', 'pilot', 'demote', 'no_go'] as const;

/**
 * The promotion verdicts' section of the weekly review (not to be confused with the Friday
 * promotion review, PromotionReviewService): the week's decisions by verdict, per domain with its
 * reason codes and newest verdict, and every decision that used a signed override.
 */
@Injectable()
@ReviewSection(PROMOTION, { order: 45, render: renderPromotionSection, attention: promotionAttention })
export class PromotionReviewSectionService implements ReviewSectionContract<PromotionReviewSection> {
  constructor(
    private readonly repo: PromotionReviewSectionRepository,
  ) {}

  async weekSection(from: Date, to: Date): Promise<PromotionReviewSection> {
    const [domains, reasons, overrides, forecasts] = await Promise.all([this.repo.domains(from, to), this.repo.reasonCodes(from, to), this.repo.overrides(from, to), this.repo.forecasts(from, to)]);
    const total = (k: (typeof VERDICTS)[number] | 'decisions' | 'overrides_used') => domains.reduce((n, d) => n + Number(d[k]), 0);
    return {
      decisions: total('decisions'),
      by_verdict: VERDICTS.map((verdict) => ({ verdict, count: total(verdict) })),
      overrides_used: total('overrides_used'),
      domains: domains.map((d) => ({
        domain: d.domain,
        decisions: Number(d.decisions),
        ...(Object.fromEntries(VERDICTS.map((v) => [v, Number(d[v])])) as Record<(typeof VERDICTS)[number], number>),
        overrides_used: Number(d.overrides_used),
        latest_verdict: d.latest_verdict,
        latest_at: d.latest_at.toISOString(),
        reason_codes: reasons.filter((r) => r.domain === d.domain).map((r) => ({ reason_code: r.reason_code, count: Number(r.count) })),
      })),
      forecasts: forecasts.map((f) => ({
        domain: f.domain,
        week: f.week,
        verdict: f.verdict,
        confidence: f.forecast.forecast.confidence,
        projected_roi: f.forecast.forecast.projections.map((p) => p.roi),
        collapse_risk: f.forecast.collapse.risk,
        reason_codes: f.forecast.reason_codes,
      })),
      overrides: overrides.map((o) => ({
        decided_at: o.decided_at.toISOString(),
        domain: o.domain,
        source: o.source,
        verdict: o.verdict,
        decided_by: o.decided_by,
        reason_codes: o.reason_codes,
        override_digest: o.override_digest,
      })),
    };
  }
}
