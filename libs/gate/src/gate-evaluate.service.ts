import { Injectable } from '@nestjs/common';
import { assertDomainAllowed, assertEngineAllowed, type Principal } from '#platform';
import { applyMode, type RolloutMode, type StepOutcome } from './decide/combine.js';
import { evaluateIntent } from './decide/evaluate.js';
import { GateInputError } from './decide/input-error.js';
import { normalizeIntent } from './decide/intent.js';
import { DEFAULT_TRUST_THRESHOLD, trustBlocks, type TrustScore } from './decide/trust.js';
import type { GateEvaluation, GateIntent } from './decide/types.js';
import { GateDecisionService } from './gate-decision.service.js';
import { GateLeversService } from './gate-levers.service.js';
import { GatePolicyService } from './gate-policy.service.js';
import { GateTrustService } from './gate-trust.service.js';
import { GateErrors } from './gate.errors.js';
import type { EvaluateRequestDto, GateAnswer } from './dto/evaluate.dto.js';

export const DEFAULT_POLICY_NAME = 'default';

/** Everything the steps found, before approvals, reservations and storage. */
export interface Judgement {
  policyName: string;
  policyDigest: string | null;
  mode: RolloutMode | null;
  evaluation: GateEvaluation | null;
  intent: GateIntent | null;
  identity: string | null;
  steps: StepOutcome[];
  /** A rollout mode kept a policy-derived act (block, require_approval) from acting. */
  modeNeutralised: boolean;
  trust: TrustScore | null;
}

/**
 * POST /gate/evaluate, the judging half: the steps in order — (a) go-live, (b) the active policy
 * file under its rollout mode, (c) the risk guard's what-if, (d) Heimdall, (e) the engine's
 * throttle, (f) the identity's trust — each adding its verdict, reason codes and evidence.
 * GateDecisionService then combines, files or consumes approvals, reserves, stores and answers.
 */
@Injectable()
export class GateEvaluateService {
  constructor(
    private readonly policies: GatePolicyService,
    private readonly levers: GateLeversService,
    private readonly trust: GateTrustService,
    private readonly decisions: GateDecisionService,
  ) {}

  async evaluate(principal: Principal, req: EvaluateRequestDto): Promise<GateAnswer> {
    this.checkRequest(principal, req);
    const judgement = await this.judge(principal, req);
    return this.decisions.decide(principal, req, judgement);
  }

  private checkRequest(principal: Principal, req: EvaluateRequestDto): void {
    const field = (name: string, problem: string) => GateErrors.raise('invalid_intent', `${name} ${problem}`, { details: { fields: [{ field: name, problems: [problem] }] } });
    if ((req.engine === undefined) !== (req.amount === undefined)) throw field(req.engine === undefined ? 'engine' : 'amount', 'is required with engine and amount together');
    if (req.reserve && (req.engine === undefined || !req.correlation_id)) {
      throw GateErrors.raise('correlation_id_required', 'reserve needs engine, amount and correlation_id (the reservation’s idempotency key)');
    }
    if (req.engine !== undefined) assertEngineAllowed(principal, req.engine);
    if (req.domain !== undefined) assertDomainAllowed(principal, req.domain);
  }

  private async judge(principal: Principal, req: EvaluateRequestDto): Promise<Judgement> {
    const policyName = req.policy ?? DEFAULT_POLICY_NAME;
    // Pure and read-only first: a request that turns out invalid (400) leaves no trace anywhere.
    let intent: GateIntent | null = null;
    let intentError: GateInputError | null = null;
    try {
      intent = normalizeIntent(req.intent);
    } catch (e) {
      if (!(e instanceof GateInputError)) throw e;
      intentError = e;
    }
    const identity = intent?.context.identity ?? null;
    // The three reads do not depend on each other: one round trip of latency, not three.
    const [goLive, active, trust] = await Promise.all([this.levers.goLiveStep(), this.policies.active(policyName), identity === null ? null : this.trust.scoreOf(identity)]);
    const steps: StepOutcome[] = [goLive];
    let evaluation: GateEvaluation | null = null;
    let modeNeutralised = false;
    const mode = active?.row.mode ?? null;
    if (!active) {
      if (intentError) throw this.invalid(intentError);
      steps.push({ step: 'policy', verdict: 'block', reason_codes: ['no_active_policy'], details: { policy: policyName, message: `no active gate policy named ${policyName}: failing closed` } });
    } else {
      try {
        // An invalid intent blocks here when the policy's fail_closed covers its risk class (gait), else it is a 400.
        evaluation = evaluateIntent(active.policy, intent ?? req.intent);
      } catch (e) {
        throw e instanceof GateInputError ? this.invalid(e) : e;
      }
      const applied = applyMode(active.row.mode, evaluation.verdict, evaluation.reason_codes);
      modeNeutralised = applied.would_have !== null;
      steps.push({
        step: 'policy',
        verdict: applied.verdict,
        reason_codes: applied.reason_codes,
        details: {
          policy: policyName,
          policy_digest: evaluation.policy_digest,
          mode: active.row.mode,
          policy_verdict: evaluation.verdict,
          matched_rule: evaluation.matched_rule,
          min_approvals: evaluation.min_approvals,
          evaluation: evaluation.trace,
        },
      });
    }
    steps.push(await this.levers.riskStep(principal, req.engine, req.amount));
    steps.push(await this.levers.heimdallStep(principal, req.recommendation_id, req.correlation_id));
    steps.push(await this.levers.tripwireStep(req.engine));

    if (trust !== null) {
      const threshold = active ? Number(active.row.trust_threshold) : DEFAULT_TRUST_THRESHOLD;
      const details = { identity, score: trust.score, source: trust.source, threshold };
      if (trustBlocks(trust.score, threshold)) {
        const applied = applyMode(mode ?? 'enforce', 'block', ['trust_below_threshold']);
        modeNeutralised ||= applied.would_have !== null;
        steps.push({ step: 'trust', verdict: applied.verdict, reason_codes: applied.reason_codes, details });
      } else {
        steps.push({ step: 'trust', verdict: 'allow', reason_codes: [], details });
      }
    }
    return { policyName, policyDigest: evaluation?.policy_digest ?? null, mode, evaluation, intent, identity, steps, modeNeutralised, trust };
  }

  private invalid(e: GateInputError) {
    return GateErrors.raise('invalid_intent', `invalid intent: ${e.message}`, { details: { fields: [{ field: e.field ? `intent.${e.field}` : 'intent', problems: [e.message] }] } });
  }
}
