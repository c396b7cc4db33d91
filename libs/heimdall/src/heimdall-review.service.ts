import { Injectable } from '@nestjs/common';
import { ReviewSection, type ReviewSectionContract } from '#platform';
import { HeimdallReviewRepository } from './heimdall-review.repository.js';
import { HEIMDALL } from './heimdall.lever.js';
import { type HeimdallReviewSection, renderHeimdallSection } from './heimdall-review.render.js';

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const diff = (value: string | null, gate: string) => (value === null ? null : (Number(value) - Number(gate)).toFixed(4));

/**
 * Heimdall's section of the weekly review: daily scorecards, the week's eligibility rate and each
 * domain's distance to its gates (value − gate: negative is short of the gate). Promotion verdicts
 * belong to libs/promotion, which registers its own section when it lands.
 */
@Injectable()
@ReviewSection(HEIMDALL, { order: 40, render: renderHeimdallSection })
export class HeimdallReviewService implements ReviewSectionContract<HeimdallReviewSection> {
  constructor(
    private readonly repo: HeimdallReviewRepository,
  ) {}

  async weekSection(from: Date, to: Date): Promise<HeimdallReviewSection> {
    const [days, domains] = await Promise.all([this.repo.scorecardDays(isoDay(from), isoDay(to)), this.repo.domainWeek(isoDay(from), isoDay(to), from, to)]);
    const recs = domains.reduce((n, d) => n + Number(d.recommendations), 0);
    const eligible = domains.reduce((n, d) => n + Number(d.eligible), 0);
    return {
      scorecards: days.map((d) => ({ day: d.day, domain: d.domain, trials: Number(d.trials), successes: Number(d.successes), success_rate: d.success_rate, mean_confidence: d.mean_confidence })),
      recommendations: recs,
      eligible,
      eligibility_rate: recs === 0 ? null : (eligible / recs).toFixed(4),
      domains: domains.map((d) => ({
        domain: d.domain,
        trials: Number(d.trials),
        successes: Number(d.successes),
        success_rate: d.success_rate,
        mean_confidence: d.mean_confidence,
        prod_use_enabled: d.prod_use_enabled,
        recommendations: Number(d.recommendations),
        eligible: Number(d.eligible),
        gates: { min_trials: d.min_trials, min_success_rate: d.min_success_rate, min_confidence: d.min_confidence },
        distance: {
          trials: Number(d.trials) - d.min_trials,
          success_rate: diff(d.success_rate, d.min_success_rate),
          confidence: diff(d.mean_confidence, d.min_confidence),
        },
      })),
    };
  }
}
