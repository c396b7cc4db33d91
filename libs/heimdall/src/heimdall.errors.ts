import { defineErrors } from '#platform';
import type { EligibilityResponseDto } from './dto/recommendation.dto.js';

/** The Heimdall lever's error codes and their statuses (the `error` field of the error body). */
export const HeimdallErrors = defineErrors({
  unknown_domain: 404,
  recommendation_not_found: 404,
  heimdall_check_not_found: 404,
  recommendation_domain_mismatch: 400,
  /** Raised by the platform's policy upsert; listed here so the routes document it. */
  policy_incomplete: 400,
  heimdall_gate_failed: 403,
  kill_switch_engaged: 403,
  idempotency_conflict: 409,
});
export type HeimdallErrorCode = keyof typeof HeimdallErrors.codes;

/** The code -> status subset a route can answer, for `ApiErrors`. */
export const heimdallErrors = (...codes: HeimdallErrorCode[]): Record<string, number> =>
  Object.fromEntries(codes.map((c) => [c, HeimdallErrors.status(c)]));

/** What a refused require-prod-eligible carries in `details`: the fresh decision, every gate. */
export type GateFailureDetails = Pick<EligibilityResponseDto, 'recommendation_id' | 'domain' | 'gate_reason' | 'gates' | 'checked_at'>;

export const unknownDomain = (domain: string) =>
  HeimdallErrors.raise('unknown_domain', `no Heimdall policy for domain ${domain} (create one with POST /api/governance/heimdall/policies/upsert)`);

export const recommendationNotFound = (id: string) => HeimdallErrors.raise('recommendation_not_found', `no recommendation ${id}`);

export const idempotencyConflict = (what: string, correlationId: string) =>
  HeimdallErrors.raise('idempotency_conflict', `correlation_id ${correlationId} was already used for a different ${what}`);

/** The kill switch outranks every gate: its own code (first among the reason codes), as everywhere else in Warden. */
export function refused(reasonCodes: string[], details: GateFailureDetails) {
  if (details.gates.some((g) => g.gate === 'kill_switch_released' && !g.passed)) {
    return HeimdallErrors.raise('kill_switch_engaged', 'the kill switch is engaged: no recommendation reaches production', {
      reasonCodes: ['kill_switch_engaged', ...reasonCodes.filter((c) => c !== 'kill_switch_engaged')],
      details,
    });
  }
  return HeimdallErrors.raise('heimdall_gate_failed', `recommendation ${details.recommendation_id} is not production-eligible: ${details.gate_reason}`, {
    reasonCodes,
    details,
  });
}
