import { defineErrors } from '#platform';

/** Every error code of the risk guard and its HTTP status: the one place a status is decided. */
export const RiskErrors = defineErrors({
  risk_denied: 403,
  engine_not_bound: 403,
  idempotency_conflict: 409,
  reservation_not_open: 409,
  correlation_id_required: 400,
  invalid_engine: 400,
  validation_failed: 400,
  engine_required: 400,
  policy_incomplete: 400,
  reservation_not_found: 404,
  policy_not_found: 404,
  risk_event_not_found: 404,
  /** A settle may book at most amount x max_loss_multiple; the rest is an operator's adjustment. */
  loss_exceeds_reservation: 422,
  /** An adjustment would take a day's realized loss below 0. */
  loss_below_zero: 422,
  /** Fail closed: the ledger could not be reached or the evaluation threw; no new risk is taken. */
  governance_unavailable: 503,
});

export type RiskErrorCode = keyof typeof RiskErrors.table;
