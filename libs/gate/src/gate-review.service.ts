import { Injectable } from '@nestjs/common';
import { ReviewSection, type ReviewSectionContract } from '#platform';
import { GateReviewRepository } from './gate-review.repository.js';
import { GATE } from './gate.lever.js';
import { type GateReviewSection, renderGateSection } from './gate-review.render.js';

/** How many reason codes the section lists. */
export const GATE_REVIEW_TOP_REASONS = 10;

/**
 * The gate's section of the weekly review: the week's decisions by verdict, the top reason codes,
 * what would have been blocked had the policy enforced (observe and dry_run modes, and simulated
 * evaluations), and the approvals the gate filed and consumed. Simulated evaluations are not
 * decisions: they appear only in `simulated` and `would_have_blocked.simulate`.
 */
@Injectable()
@ReviewSection(GATE, { order: 60, render: renderGateSection })
export class GateReviewService implements ReviewSectionContract<GateReviewSection> {
  constructor(
    private readonly repo: GateReviewRepository,
  ) {}

  async weekSection(from: Date, to: Date): Promise<GateReviewSection> {
    const [w, reasons] = await Promise.all([this.repo.week(from, to), this.repo.topReasonCodes(from, to, GATE_REVIEW_TOP_REASONS)]);
    return {
      decisions: Number(w.decisions),
      by_verdict: (['allow', 'dry_run', 'require_approval', 'block'] as const).map((verdict) => ({ verdict, count: Number(w[verdict]) })),
      would_have_blocked: {
        observe: Number(w.would_have_blocked_observe),
        dry_run: Number(w.would_have_blocked_dry_run),
        simulate: Number(w.would_have_blocked_simulate),
      },
      simulated: Number(w.simulated),
      approvals_filed: Number(w.approvals_filed),
      approvals_consumed: Number(w.approvals_consumed),
      top_reason_codes: reasons.map((r) => ({ reason_code: r.reason_code, count: Number(r.count) })),
    };
  }
}
