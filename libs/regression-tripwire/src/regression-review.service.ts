import { Injectable } from '@nestjs/common';
import { ReviewSection, type ReviewSectionContract } from '#platform';
import { RegressionReviewRepository } from './regression-review.repository.js';
import { REGRESSION_TRIPWIRE } from './regression-tripwire.lever.js';
import { regressionAttention, renderRegressionSection, type RegressionReviewSection } from './regression-review.render.js';

/**
 * The tripwire's section of the weekly review: fires, actions taken (and failed), re-enables (an
 * operator's baseline reset is what re-arms a fired stream) and every stream's state now.
 */
@Injectable()
@ReviewSection(REGRESSION_TRIPWIRE, { order: 30, render: renderRegressionSection, attention: regressionAttention })
export class RegressionReviewService implements ReviewSectionContract<RegressionReviewSection> {
  constructor(
    private readonly repo: RegressionReviewRepository,
  ) {}

  async weekSection(from: Date, to: Date): Promise<RegressionReviewSection> {
    const [counts, timeline, states] = await Promise.all([this.repo.eventCounts(from, to), this.repo.timeline(from, to), this.repo.currentStates()]);
    const total = (type: string) => counts.filter((c) => c.type === type).reduce((n, c) => n + Number(c.count), 0);
    return {
      fired: total('triggered'),
      actions_taken: counts.filter((c) => c.type === 'action_taken').map((c) => ({ domain: c.domain, metric: c.metric, action: c.action, count: Number(c.count) })),
      actions_failed: total('action_failed'),
      re_enables: total('baseline_reset'),
      by_stream: counts.map((c) => ({ domain: c.domain, metric: c.metric, type: c.type, action: c.action, count: Number(c.count) })),
      timeline: timeline.map((t) => ({ at: t.at.toISOString(), domain: t.domain, metric: t.metric, type: t.type, action: t.action, principal: t.principal })),
      current_states: states.map((s) => ({
        domain: s.domain,
        metric: s.metric,
        status: s.status,
        action: s.action,
        action_status: s.action_status,
        triggered_at: s.triggered_at?.toISOString() ?? null,
        trigger_count: s.trigger_count,
      })),
    };
  }
}
