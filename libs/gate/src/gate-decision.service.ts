import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { approvalPayloadDigest, ApprovalsService, OwnsApprovalKinds, type RiskLevel, RISK_LEVELS } from '#approvals';
import { Clock, type Principal, WardenError } from '#platform';
import { combineSteps, simulateVerdict, type StepOutcome } from './decide/combine.js';
import { intentDigestPayload, traceId } from './decide/digest.js';
import type { Verdict } from './decide/strings.js';
import type { Judgement } from './gate-evaluate.service.js';
import { GateDecisionWriter } from './decision-writer.js';
import { GateLeversService } from './gate-levers.service.js';
import { GateMetrics } from './gate.metrics.js';
import { GateRepository } from './gate.repository.js';
import { type EvaluateRequestDto, type GateAnswer, GateBlockedResponseDto, GateVerdictResponseDto } from './dto/evaluate.dto.js';

const KIND = 'gate_intent';
type ApprovalUse = 'requested' | 'consumed' | 'refused' | null;

interface Outcome {
  steps: StepOutcome[];
  approvalId: string | null;
  approvalUse: ApprovalUse;
  reservationId: string | null;
}

/**
 * POST /gate/evaluate, the deciding half: the strictest step wins; a require_approval files an
 * approval request (202) or, re-submitted with an approved `approval_id` for this very intent and
 * policy version, consumes the grant atomically with the decision (allowed once); a reservation
 * is taken only when everything else allows; the decision is stored (append-only) and counted.
 */
@Injectable()
@OwnsApprovalKinds({ lever: 'gate', kind: KIND })
export class GateDecisionService {
  constructor(
    private readonly repo: GateRepository,
    private readonly approvals: ApprovalsService,
    private readonly levers: GateLeversService,
    private readonly writer: GateDecisionWriter,
    private readonly metrics: GateMetrics,
    private readonly clock: Clock,
  ) {}

  async decide(principal: Principal, req: EvaluateRequestDto, j: Judgement): Promise<GateAnswer> {
    const simulate = req.simulate === true;
    // Only a require_approval files or consumes a grant (nothing else turns into one): digest it only then.
    const grant = !simulate && combineSteps(j.steps).verdict === 'require_approval' ? this.grantOf(j) : null;
    const outcome: Outcome = { steps: [...j.steps], approvalId: null, approvalUse: null, reservationId: null };
    if (!simulate) {
      if (combineSteps(outcome.steps).verdict === 'require_approval' && req.approval_id && grant) await this.useGrant(outcome, req.approval_id, grant.digest);
      if (req.reserve && combineSteps(outcome.steps).verdict === 'allow') {
        const r = await this.levers.reserve(principal, req.engine!, req.amount!, req.correlation_id!, `gate: ${j.intent?.tool_name ?? 'intent'} by ${j.identity ?? 'unknown'}`);
        outcome.steps.push(r.step);
        outcome.reservationId = r.reservationId;
      }
    }
    // Filing or consuming an approval commits with the decision; anything else goes through group commit.
    const approvalAct = !simulate && (outcome.approvalUse === 'consumed' || (combineSteps(outcome.steps).verdict === 'require_approval' && grant !== null && !outcome.approvalId));
    if (!approvalAct) return this.store(null, principal, req, j, outcome, grant);
    try {
      return await this.repo.db.transaction((m) => this.store(m, principal, req, j, outcome, grant));
    } catch (e) {
      // The grant could not be consumed after all (used concurrently): the same intent is refused.
      if (!(e instanceof WardenError) || outcome.approvalUse !== 'consumed') throw e;
      outcome.steps = outcome.steps.filter((s) => s.step !== 'approval');
      outcome.steps.push(refusal(e, req.approval_id!));
      outcome.approvalUse = 'refused';
      return this.repo.db.transaction((m) => this.store(m, principal, req, j, outcome, grant));
    }
  }

  /** What an approval of this intent is bound to: the normalised intent and the policy version. */
  private grantOf(j: Judgement): { subject: string; payload: Record<string, unknown>; digest: string } | null {
    if (!j.intent || !j.policyDigest) return null;
    const subject = `gate_policy:${j.policyName}`;
    const payload = { intent: intentDigestPayload(j.intent), policy_digest: j.policyDigest };
    return { subject, payload, digest: approvalPayloadDigest(KIND, subject, payload) };
  }

  /** Checks the grant before anything else acts (a reservation); consumed later, with the decision. */
  private async useGrant(outcome: Outcome, approvalId: string, digest: string): Promise<void> {
    outcome.approvalId = approvalId;
    let problem: string | null;
    try {
      const a = await this.approvals.get(approvalId);
      problem =
        a.kind !== KIND || a.payload_digest !== digest ? 'approval_not_for_this_intent'
        : a.consumed_at ? 'approval_already_used'
        : a.status !== 'approved' ? `approval_${a.status}`
        : null;
    } catch (e) {
      if (!(e instanceof WardenError) || e.status !== 404) throw e;
      problem = 'approval_not_found';
    }
    if (problem === 'approval_pending') {
      // Still waiting for approvers: the same request stands (202 again), nothing new is filed.
      outcome.steps.push({ step: 'approval', verdict: 'require_approval', reason_codes: ['approval_pending'], details: { approval_id: approvalId } });
      return;
    }
    if (problem) {
      outcome.approvalUse = 'refused';
      outcome.steps.push({ step: 'approval', verdict: 'block', reason_codes: [problem], details: { approval_id: approvalId } });
      return;
    }
    outcome.approvalUse = 'consumed';
    // The grant stands in for the policy's require_approval (only the policy file asks for approval).
    outcome.steps = outcome.steps.map((s) => (s.step === 'policy' && s.verdict === 'require_approval' ? { ...s, verdict: 'allow' as Verdict, reason_codes: [...s.reason_codes, 'approval_granted'] } : s));
    outcome.steps.push({ step: 'approval', verdict: 'allow', reason_codes: ['approval_granted'], details: { approval_id: approvalId } });
  }

  /** `m`: the transaction that files or consumes the approval; null: the decision alone, group-committed. */
  private async store(m: EntityManager | null, principal: Principal, req: EvaluateRequestDto, j: Judgement, outcome: Outcome, grant: ReturnType<GateDecisionService['grantOf']>): Promise<GateAnswer> {
    const simulate = req.simulate === true;
    const combined = combineSteps(outcome.steps);
    const final = simulate ? simulateVerdict(combined.verdict, combined.reason_codes) : { ...combined, would_have: null };
    let approvalId = outcome.approvalId;
    let approvalUse = outcome.approvalUse;
    if (m && !simulate && final.verdict === 'require_approval' && grant && !approvalId) {
      const filed = await this.approvals.request(
        principal,
        {
          kind: KIND,
          subject: grant.subject,
          payload: grant.payload,
          reason: `gate: ${j.intent!.tool_name} by ${j.identity} (${final.reason_codes.join(', ')})`,
          riskLevel: riskLevelOf(j.intent!.context.risk_class),
          minApprovals: j.evaluation?.min_approvals ?? 1,
        },
        m,
      );
      approvalId = filed.approval_id;
      approvalUse = 'requested';
    }
    if (!simulate && approvalUse === 'consumed') {
      if (m && (final.verdict === 'allow' || final.verdict === 'dry_run')) await this.approvals.consume(approvalId!, KIND, grant!.digest, m, principal, principal);
      else approvalUse = null; // something else blocked: the grant stays unused
    }
    const wouldHaveBlocked = simulate ? final.would_have !== null : j.modeNeutralised;
    const trace = outcome.steps.map((s) => ({ ...s }));
    const row = {
      id: randomUUID(),
      intentDigest: j.evaluation?.intent_digest ?? null,
      policyName: j.policyName,
      policyDigest: j.policyDigest,
      mode: j.mode,
      verdict: final.verdict,
      wouldHaveBlocked,
      reasonCodes: final.reason_codes,
      trace,
      identity: j.identity,
      engine: req.engine ?? null,
      principal: principal.name,
      tokenId: principal.tokenId,
      approvalId,
      approvalUse,
      simulate,
      at: this.clock.now(),
    };
    if (m) await this.repo.insertDecisions([row], m);
    else await this.writer.write(row);
    this.metrics.decided(final.verdict, j.mode, simulate, wouldHaveBlocked);
    const policyActs = combined.verdict === 'block' || combined.verdict === 'require_approval';
    const body = GateVerdictResponseDto.from({
      decision_id: row.id,
      verdict: final.verdict,
      reason_codes: final.reason_codes,
      violations: policyActs && !simulate ? (j.evaluation?.violations ?? []) : [],
      matched_rule: j.evaluation?.matched_rule ?? null,
      required_approvals: final.verdict === 'require_approval' ? (j.evaluation?.min_approvals ?? 1) : 0,
      require_distinct_approvers: final.verdict === 'require_approval' && (j.evaluation?.require_distinct_approvers ?? false),
      policy: j.policyName,
      policy_digest: j.policyDigest,
      intent_digest: j.evaluation?.intent_digest ?? null,
      trace_id: traceId(j.policyDigest ?? '', j.evaluation?.intent_digest ?? '', final.verdict),
      mode: j.mode,
      trace,
      approval_id: approvalId,
      would_have_blocked: wouldHaveBlocked,
      ...(simulate ? { simulate_mode: true, simulated_verdict: combined.verdict, simulated_reason_codes: combined.reason_codes } : {}),
      reservation_id: outcome.reservationId,
      trust_score: j.trust?.score ?? null,
    });
    if (final.verdict === 'block') {
      const blocked = Object.assign(new GateBlockedResponseDto(), body, {
        statusCode: 403,
        error: 'gate_blocked',
        message: `the gate blocked this intent: ${final.reason_codes.join(', ')}`,
        details: { trace },
      });
      return { status: 403, body: blocked };
    }
    return { status: final.verdict === 'require_approval' ? 202 : 200, body };
  }
}

function refusal(e: WardenError, approvalId: string): StepOutcome {
  const consumed = (e.extra.details as { consumed_at?: unknown } | undefined)?.consumed_at;
  return { step: 'approval', verdict: 'block', reason_codes: [consumed ? 'approval_already_used' : 'approval_not_consumable'], details: { approval_id: approvalId, message: e.message } };
}

const riskLevelOf = (riskClass: string): RiskLevel => ((RISK_LEVELS as readonly string[]).includes(riskClass) ? (riskClass as RiskLevel) : 'medium');
