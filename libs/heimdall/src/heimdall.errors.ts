import { PlatformErrorCode, WardenError } from '#platform';
import type { GateCheck, GateReasonCode } from './decide/gates.js';

/** Error codes of the Heimdall lever. */
export const HeimdallErrorCode = {
  UnknownDomain: 'unknown_domain',
  RecommendationNotFound: 'recommendation_not_found',
  RecommendationDomainMismatch: 'recommendation_domain_mismatch',
  PolicyIncomplete: 'policy_incomplete',
  GateFailed: 'heimdall_gate_failed',
  KillSwitchEngaged: 'kill_switch_engaged',
  IdempotencyConflict: PlatformErrorCode.IdempotencyConflict,
} as const;

/** What a refused require-prod-eligible carries in `details`: the fresh decision, every gate. */
export interface GateFailureDetails {
  recommendation_id: string;
  domain: string;
  gate_reason: GateReasonCode;
  gates: GateCheck[];
  checked_at: string;
}

export const HeimdallErrors = {
  unknownDomain: (domain: string) =>
    WardenError.notFound(HeimdallErrorCode.UnknownDomain, `no Heimdall policy for domain ${domain} (create one with POST /api/governance/heimdall/policies/upsert)`),
  recommendationNotFound: (id: string) => WardenError.notFound(HeimdallErrorCode.RecommendationNotFound, `no recommendation ${id}`),
  idempotencyConflict: (what: string, correlationId: string) =>
    WardenError.conflict(HeimdallErrorCode.IdempotencyConflict, `correlation_id ${correlationId} was already used for a different ${what}`),
  /** The kill switch outranks every gate: its own code, as everywhere else in Warden. */
  refused: (reasonCodes: string[], details: GateFailureDetails) =>
    details.gates.some((g) => g.gate === 'kill_switch_released' && !g.passed)
      ? WardenError.forbidden(
          HeimdallErrorCode.KillSwitchEngaged,
          'the kill switch is engaged: no recommendation reaches production',
          [HeimdallErrorCode.KillSwitchEngaged, ...reasonCodes.filter((c) => c !== HeimdallErrorCode.KillSwitchEngaged)],
          details,
        )
      : WardenError.forbidden(
          HeimdallErrorCode.GateFailed,
          `recommendation ${details.recommendation_id} is not production-eligible: ${details.gate_reason}`,
          reasonCodes,
          details,
        ),
};
