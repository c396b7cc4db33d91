import { approvalsAttention, type ApprovalsReviewSection } from './approvals-review.render.js';

const section = (expiring_within_24h: number, pending_now = expiring_within_24h): ApprovalsReviewSection => ({
  requested: 0,
  decided: 0,
  approved: 0,
  rejected: 0,
  cancelled: 0,
  expired: 0,
  median_seconds_to_decision: null,
  p95_seconds_to_decision: null,
  pending_now,
  expiring_within_24h,
});

describe('approvals review section: needs attention', () => {
  it('lists the pending requests that expire within 24 h, as one item', () => {
    const link = { href: '/console/approvals', action: 'Decide them on Approvals' };
    expect(approvalsAttention(section(2, 3))).toEqual([{ kind: 'approvals_expiring', subject: 'approvals', message: '2 pending approvals expire within 24 h', ...link }]);
    expect(approvalsAttention(section(1))).toEqual([{ kind: 'approvals_expiring', subject: 'approvals', message: '1 pending approval expires within 24 h', ...link }]);
  });

  it('is empty when none is about to expire', () => {
    expect(approvalsAttention(section(0, 4))).toEqual([]);
  });
});
