import { defineErrors } from '#platform';

/**
 * The gate's error codes and statuses (Nest side; the pure evaluator throws GateInputError, which
 * the services turn into `invalid_policy` or `invalid_intent`). `gate_blocked` is the 403 of a
 * block verdict: its body is the error body plus the verdict fields (see GateBlockedResponseDto).
 */
export const GateErrors = defineErrors({
  invalid_policy: 400,
  invalid_intent: 400,
  correlation_id_required: 400,
  policy_not_found: 404,
  policy_version_not_found: 404,
  decision_not_found: 404,
  decision_not_allowed: 409,
  outcome_not_permitted: 403,
  gate_blocked: 403,
  approval_key_invalid: 400,
  invalid_approval_token: 400,
  approval_key_exists: 409,
  approval_key_not_found: 404,
});
export type GateErrorCode = keyof typeof GateErrors.codes;

/** The subset of the table a route can answer, for `@ApiErrors`. */
export const gateErrors = (...codes: GateErrorCode[]): Record<string, number> => Object.fromEntries(codes.map((c) => [c, GateErrors.status(c)]));
