import { Injectable } from '@nestjs/common';
import { GoLiveService } from '#go-live';
import { type EligibilityCheck, HeimdallService } from '#heimdall';
import { RiskGuardService } from '#risk-guard';
import type { StepOutcome } from '../decide/combine.js';
import { engineThrottleStep, goLiveStep, heimdallStep, riskWhatIfStep } from '../decide/lever-steps.js';
import type { TrustScore } from '../decide/trust.js';
import type { GatePolicy } from '../decide/types.js';
import { GatePolicyService } from '../gate-policy.service.js';
import { GateTrustService } from '../gate-trust.service.js';
import type { ActivePolicyRow } from '../gate.repository.js';
import { assertJudgeable, type ParsedRequest } from './01-parse.phase.js';

/** Everything the gate read, and each lever's step. Nothing was written to read it. */
export interface LeverReadings {
  /** The active version of the named policy (the gate's own), or undefined: none is active. */
  active: { row: ActivePolicyRow; policy: GatePolicy } | undefined;
  /** The identity's trust score, or null when the intent names no identity. */
  trust: TrustScore | null;
  goLive: StepOutcome;
  risk: StepOutcome;
  heimdall: StepOutcome;
  engineThrottle: StepOutcome;
  /** Heimdall's eligibility as read; the record phase records it as Heimdall's check (never when simulating). */
  heimdallCheck: EligibilityCheck | null;
}

/**
 * Phase 2: read the levers, each through its public service, and only read:
 *   GoLiveService.state(), the gate's active policy and trust score,
 *   RiskGuardService.whatIf() (nothing reserved) and getPolicy() (the engine throttle),
 *   HeimdallService.readProdEligibility() (recorded later, by the record phase).
 * A lever that cannot be read fails the request (503 governance_unavailable, 404 for an unknown
 * recommendation, 403 for a recommendation in a domain the token is not bound to).
 */
@Injectable()
export class ReadLeversPhase {
  constructor(
    private readonly goLive: GoLiveService,
    private readonly risk: RiskGuardService,
    private readonly heimdall: HeimdallService,
    private readonly policies: GatePolicyService,
    private readonly trust: GateTrustService,
  ) {}

  async read(request: ParsedRequest): Promise<LeverReadings> {
    const { principal, req } = request;
    // Independent of each other: one round trip of latency, not three.
    const [goLive, active, trust] = await Promise.all([
      this.goLive.state(),
      this.policies.active(request.policyName),
      request.identity === null ? null : this.trust.scoreOf(request.identity),
    ]);
    // An intent this policy cannot judge is a 400 before any other lever is asked.
    assertJudgeable(request, active?.policy);
    const whatIf = req.engine === undefined || req.amount === undefined ? null : await this.risk.whatIf({ engine: req.engine, amount: req.amount, principal });
    const heimdallCheck = req.recommendation_id ? await this.heimdall.readProdEligibility(req.recommendation_id, principal) : null;
    const riskPolicy = req.engine === undefined ? undefined : await this.risk.getPolicy(req.engine);
    return {
      active,
      trust,
      goLive: goLiveStep(goLive),
      risk: riskWhatIfStep(whatIf),
      heimdall: heimdallStep(heimdallCheck?.eligibility ?? null),
      engineThrottle: engineThrottleStep(req.engine, riskPolicy),
      heimdallCheck,
    };
  }
}
