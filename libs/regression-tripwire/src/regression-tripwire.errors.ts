/** Error codes of the regression tripwire (all mapped to HTTP by the global filter through WardenError). */
export const RegressionErrorCode = {
  ValidationFailed: 'validation_failed',
  PolicyNotFound: 'regression_policy_not_found',
  InvalidPolicy: 'invalid_regression_policy',
  KpiKindMismatch: 'kpi_kind_mismatch',
  IdempotencyConflict: 'idempotency_conflict',
} as const;
