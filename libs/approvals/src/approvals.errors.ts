import { defineErrors } from '#platform';

/**
 * The approvals lever's error codes and their statuses (the `error` field of the error body).
 * A second decision by the same approver is a 409 `already_decided_by_approver`: it counts once,
 * and the caller learns that it did not count again. An approver is a person: another token of a
 * person who already decided (or the token that made it) gets the same 409 (`details.by: person`),
 * refused rather than recorded without counting, so the record holds only decisions that count.
 */
export const ApprovalsErrors = defineErrors({
  approval_not_found: 404,
  approval_not_pending: 409,
  approval_expired: 409,
  already_decided_by_approver: 409,
  self_decision_forbidden: 403,
  approver_role_not_allowed: 403,
  not_requester: 403,
  grant_not_consumable: 409,
  idempotency_conflict: 409,
  invalid_expiry: 400,
  too_many_pending_approvals: 429,
  /** An act filed while its state offers nothing to undo (nothing engaged, not throttled, an unknown subject). */
  act_not_applicable: 409,
  /** A change proposed against a version of a control (`base_version`) that is no longer the one in force (docs/approvals.md "Change requests"). */
  control_version_conflict: 409,
});
export type ApprovalsErrorCode = keyof typeof ApprovalsErrors.codes;
