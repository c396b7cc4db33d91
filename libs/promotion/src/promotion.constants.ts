export const PROMOTION_FRIDAY_JOB = 'promotion.friday_review';
export const PROMOTION_APPROVAL_KIND = 'heimdall_promotion' as const;
/** A Friday request stays open for a week (the approvals maximum): the next review files the next one. */
export const PROMOTION_APPROVAL_TTL_SECONDS = 7 * 24 * 3600;
export const promotionSubject = (domain: string) => `heimdall:${domain}`;

/** What a Friday approval request carries (and the grant is bound to). */
export interface PromotionApprovalPayload {
  domain: string;
  verdict: string;
  week: string;
  decision_id: string;
}
