import { Injectable } from '@nestjs/common';
import { Clock, ReviewSection, type ReviewSectionContract } from '#platform';
import { ApprovalsReviewRepository } from './approvals-review.repository.js';
import { APPROVALS } from './approvals.lever.js';
import { approvalsAttention, type ApprovalsReviewSection, renderApprovalsSection } from './approvals-review.render.js';

const seconds = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);

/**
 * The approvals' section of the weekly review: requested, decided, expired, median and p95 time to
 * decision (approve/reject; cancellations are not decisions), and the queue now (pending, and how
 * many of those expire within 24 h).
 */
@Injectable()
@ReviewSection(APPROVALS, { order: 50, render: renderApprovalsSection, attention: approvalsAttention })
export class ApprovalsReviewService implements ReviewSectionContract<ApprovalsReviewSection> {
  constructor(
    private readonly repo: ApprovalsReviewRepository,
    private readonly clock: Clock,
  ) {}

  async weekSection(from: Date, to: Date): Promise<ApprovalsReviewSection> {
    const w = await this.repo.week(from, to, this.clock.now());
    return {
      requested: Number(w.requested),
      decided: Number(w.approved) + Number(w.rejected),
      approved: Number(w.approved),
      rejected: Number(w.rejected),
      cancelled: Number(w.cancelled),
      expired: Number(w.expired),
      median_seconds_to_decision: seconds(w.median_seconds),
      p95_seconds_to_decision: seconds(w.p95_seconds),
      pending_now: Number(w.pending_now),
      expiring_within_24h: Number(w.expiring_24h),
    };
  }
}
