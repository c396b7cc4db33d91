import type { AttentionItem, ReviewRenderKit } from '#platform';

/** The approvals' section of the weekly review, as stored in the report (ApprovalsReviewService computes it). */
export interface ApprovalsReviewSection {
  requested: number;
  /** approved + rejected: cancellations are not decisions. */
  decided: number;
  approved: number;
  rejected: number;
  cancelled: number;
  expired: number;
  median_seconds_to_decision: number | null;
  p95_seconds_to_decision: number | null;
  /** The queue at generation. */
  pending_now: number;
  expiring_within_24h: number;
}

/** Pending requests about to expire need a decision first. */
export function approvalsAttention(d: ApprovalsReviewSection): AttentionItem[] {
  const expiring = d.expiring_within_24h ?? 0;
  if (expiring <= 0) return [];
  return [
    {
      kind: 'approvals_expiring',
      subject: 'approvals',
      message: `${expiring} pending approval${expiring === 1 ? '' : 's'} expire${expiring === 1 ? 's' : ''} within 24 h`,
      href: '/console/approvals',
      action: 'Decide them on Approvals',
    },
  ];
}

/** Figures only: a definition list. */
export function renderApprovalsSection(d: ApprovalsReviewSection, kit: ReviewRenderKit): string {
  return kit.plain(d);
}
