import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { HeimdallService } from '#heimdall';
import { Clock, OutboxService } from '#platform';
import { type CombinedVerdict, simulateVerdict, withLostGrant } from '../decide/combine.js';
import { traceId } from '../decide/digest.js';
import { replayableIntent } from '../decide/policy-replay.js';
import { GateDecisionWriter } from '../decision-writer.js';
import { gateNotification, gateTopicOf } from '../gate-notifications.js';
import { GateMetrics } from '../gate.metrics.js';
import { GateRepository, type NewDecision } from '../gate.repository.js';
import { type GateAnswer, GateBlockedResponseDto, GateVerdictResponseDto } from '../dto/evaluate.dto.js';
import type { ParsedRequest } from './01-parse.phase.js';
import type { LeverReadings } from './02-read-levers.phase.js';
import type { PolicyJudgement } from './03-apply-policy.phase.js';
import { ApprovalPhase, type ApprovalRecord, type ApprovalState } from './05-approval.phase.js';

/** What the approval and reserve phases left: the verdict to answer, and what they did. */
export interface Settled {
  verdict: CombinedVerdict;
  approval: ApprovalState;
  reservationId: string | null;
}

/**
 * Phase 7: record, the only writer of an evaluation. In order:
 *   1. the Heimdall check the gate read, as Heimdall's own `recommendation.checked` event
 *      (HeimdallService.recordCheck), for a real evaluation only: simulating records no check;
 *   2. the `gate_decision` row (append-only), built once here. With an approval act (filing the
 *      request, consuming the grant) or a notification (`gate.blocked`, `gate.approval_required`,
 *      when WARDEN_WEBHOOK_URLS/TOPICS want it) it commits in one transaction with them; otherwise
 *      it goes through the group-commit writer, so an allowed decision pays nothing for
 *      notifications. The answer is sent after the row committed;
 *   3. the metrics.
 * A grant consumed concurrently by another decision (the consumption fails in the transaction) is
 * a refusal: recorded as such, the same intent refused (`approval_already_used`).
 */
@Injectable()
export class DecisionRecorder {
  constructor(
    private readonly repo: GateRepository,
    private readonly writer: GateDecisionWriter,
    private readonly approvals: ApprovalPhase,
    private readonly heimdall: HeimdallService,
    private readonly metrics: GateMetrics,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
  ) {}

  async record(request: ParsedRequest, readings: LeverReadings, policy: PolicyJudgement, settled: Settled): Promise<GateAnswer> {
    if (!request.simulate && readings.heimdallCheck) {
      await this.heimdall.recordCheck(readings.heimdallCheck, request.principal, { correlation_id: request.req.correlation_id });
    }
    const approval = this.approvals.recordOf(request, policy, settled.approval, settled.verdict);
    try {
      return await this.store(request, readings, policy, settled, approval);
    } catch (e) {
      const refusal = approval.lost?.(e) ?? null;
      if (!refusal) throw e;
      const lost = { ...settled, verdict: withLostGrant(settled.verdict, refusal) };
      return this.store(request, readings, policy, lost, { approvalId: approval.approvalId, approvalUse: approval.approvalId ? 'refused' : null, commit: null });
    }
  }

  private async store(request: ParsedRequest, readings: LeverReadings, policy: PolicyJudgement, settled: Settled, approval: ApprovalRecord): Promise<GateAnswer> {
    const { verdict } = settled;
    const final = request.simulate ? simulateVerdict(verdict.verdict, verdict.reason_codes) : { verdict: verdict.verdict, reason_codes: verdict.reason_codes, would_have: null };
    const wouldHaveBlocked = request.simulate ? final.would_have !== null : policy.modeNeutralised;
    const trace = verdict.steps.map((s) => ({ ...s }));
    const decisionId = randomUUID();
    const row = (approvalId: string | null): NewDecision & { id: string } => ({
      id: decisionId,
      intentDigest: policy.evaluation?.intent_digest ?? null,
      intent: replayableIntent(request.intent),
      policyName: request.policyName,
      policyDigest: policy.policyDigest,
      mode: policy.mode,
      verdict: final.verdict,
      wouldHaveBlocked,
      reasonCodes: final.reason_codes,
      trace,
      identity: request.identity,
      engine: request.req.engine ?? null,
      principal: request.principal.name,
      tokenId: request.principal.tokenId,
      approvalId,
      approvalUse: approval.approvalUse,
      simulate: request.simulate,
      at: this.clock.now(),
    });
    const e = policy.evaluation;
    const traceIdOf = traceId(policy.policyDigest ?? '', e?.intent_digest ?? '', final.verdict);
    const topic = gateTopicOf(final.verdict, request.simulate);
    const notify = topic !== null && this.outbox.wants(topic);
    let stored: NewDecision & { id: string };
    if (approval.commit || notify) {
      const commit = approval.commit;
      stored = await this.repo.db.transaction(async (m) => {
        const r = row(commit ? await commit(m, decisionId) : approval.approvalId);
        await this.repo.insertDecisions([r], m);
        if (notify) {
          const facts = { toolName: request.intent?.tool_name ?? null, violations: e?.violations ?? [], matchedRule: e?.matched_rule ?? null, traceId: traceIdOf };
          await this.outbox.enqueue(m, gateNotification(topic, r, facts));
        }
        return r;
      });
    } else {
      stored = row(approval.approvalId);
      await this.writer.write(stored);
    }
    this.metrics.decided(final.verdict, policy.mode, request.simulate, wouldHaveBlocked);

    const policyActs = verdict.verdict === 'block' || verdict.verdict === 'require_approval';
    const body = GateVerdictResponseDto.from({
      decision_id: stored.id,
      verdict: final.verdict,
      reason_codes: final.reason_codes,
      violations: policyActs && !request.simulate ? (e?.violations ?? []) : [],
      matched_rule: e?.matched_rule ?? null,
      required_approvals: final.verdict === 'require_approval' ? (e?.min_approvals ?? 1) : 0,
      require_distinct_approvers: final.verdict === 'require_approval' && (e?.require_distinct_approvers ?? false),
      policy: request.policyName,
      policy_digest: policy.policyDigest,
      intent_digest: e?.intent_digest ?? null,
      trace_id: traceIdOf,
      mode: policy.mode,
      trace,
      approval_id: stored.approvalId,
      would_have_blocked: wouldHaveBlocked,
      ...(request.simulate ? { simulate_mode: true, simulated_verdict: verdict.verdict, simulated_reason_codes: verdict.reason_codes } : {}),
      reservation_id: settled.reservationId,
      trust_score: readings.trust?.score ?? null,
    });
    if (final.verdict !== 'block') return { status: final.verdict === 'require_approval' ? 202 : 200, body };
    const blocked = Object.assign(new GateBlockedResponseDto(), body, {
      statusCode: 403,
      error: 'gate_blocked',
      message: `the gate blocked this intent: ${final.reason_codes.join(', ')}`,
      details: { trace },
    });
    return { status: 403, body: blocked };
  }
}
