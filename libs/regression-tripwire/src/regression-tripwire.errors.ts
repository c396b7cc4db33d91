import { defineErrors } from '#platform';

/** Every error code of the regression tripwire and its HTTP status, in one table. */
export const RegressionErrors = defineErrors({
  validation_failed: 400,
  /** A new policy lacks max_drop_fraction or action (raised by the platform's PolicyUpsertService). */
  policy_incomplete: 400,
  /** A policy whose fields contradict each other (min_events above a window: it could never leave insufficient_data). */
  invalid_regression_policy: 400,
  regression_policy_not_found: 404,
  regression_event_not_found: 404,
  /** Success events for a mean-value stream, or the reverse: a stream keeps the kind of its first event. */
  kpi_kind_mismatch: 409,
  idempotency_conflict: 409,
});

export type RegressionErrorCode = keyof typeof RegressionErrors.codes;

/** The part of the table a route can answer, for `@ApiErrors`. */
export function regressionErrors(...codes: RegressionErrorCode[]): Record<string, number> {
  return Object.fromEntries(codes.map((c) => [c, RegressionErrors.status(c)]));
}

/** Binding refusals of the platform (docs/auth.md) that the KPI and evaluate routes can answer. */
export const BINDING_ERRORS = { domain_not_bound: 403, engine_not_bound: 403 } as const;
