import { Injectable } from '@nestjs/common';
import { Clock, ReviewSection, type ReviewSectionContract } from '#platform';
import { changesAttention, type ChangesReviewSection, renderChangesSection } from './changes-review.render.js';
import { CHANGES } from './changes.lever.js';
import { ChangesRepository } from './changes.repository.js';

const minutes = (ms: number) => Math.floor(ms / 60_000);

/** The weekly review's change section: by tier, held and for how long, break-glass uses and open reviews. */
@Injectable()
@ReviewSection(CHANGES, { order: 65, render: renderChangesSection, attention: changesAttention })
export class ChangesReviewService implements ReviewSectionContract<ChangesReviewSection> {
  constructor(
    private readonly repo: ChangesRepository,
    private readonly clock: Clock,
  ) {}

  async weekSection(from: Date, to: Date): Promise<ChangesReviewSection> {
    const now = this.clock.now();
    const [w, held, reviews] = await Promise.all([this.repo.week(from, to, now), this.repo.heldNow(now, 20), this.repo.openReviews(100)]);
    const t = w.by_tier ?? {};
    return {
      by_tier: { tier_1: t['1'] ?? 0, tier_2: t['2'] ?? 0, tier_3: t['3'] ?? 0, tier_4: t['4'] ?? 0 },
      by_status: w.by_status ?? {},
      held_now: Number(w.held_now),
      oldest_held_minutes: w.oldest_held_at ? minutes(now.getTime() - new Date(w.oldest_held_at).getTime()) : null,
      held: held.map((r) => ({ request_id: r.id, run_id: r.run_id, phase_id: r.phase_id, tier: r.tier, risk_level: r.risk_level, waiting_minutes: minutes(now.getTime() - new Date(r.created_at).getTime()), paths: r.answer.requested_paths.length })),
      break_glass_uses: Number(w.break_glass_uses),
      open_reviews: reviews.map((r) => ({ request_id: r.id, by: r.break_glass_by!, reason: r.break_glass_reason!, at: new Date(r.break_glass_at!).toISOString(), review_approval_id: r.review_approval_id! })),
    };
  }
}
