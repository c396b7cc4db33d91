import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { approvalPayloadDigest, ApprovalsService, OwnsApprovalKinds, type RiskLevel, RISK_LEVELS } from '#approvals';
import { AuditService, Clock, WardenError } from '#platform';
import { applyApprovalTokens } from '../decide/approval-chain.js';
import { type CombinedVerdict, type StepOutcome, withGrant, withStep } from '../decide/combine.js';
import { intentDigestPayload } from '../decide/digest.js';
import { ApprovalKeysService } from '../approval-keys.service.js';
import type { TokenUse } from '../approval-keys.repository.js';
import type { ParsedRequest } from './01-parse.phase.js';
import type { PolicyJudgement } from './03-apply-policy.phase.js';
import { GATE } from '../gate.lever.js';

const KIND = 'gate_intent';

/**
 * What an approval of this intent is bound to: everything the gate acts on once it is allowed — the
 * normalised intent, the policy version (active digest), and the engine, amount, reserve, domain and
 * recommendation of the request — so a grant for one cannot allow another (an amount swap, a
 * reservation added later). The payload is what approvers see (GET /approvals/{id}).
 */
interface Grant {
  subject: string;
  payload: Record<string, unknown>;
  digest: string;
}

/** What the approval phase found. `file` and `granted` commit with the decision (the record phase). */
export type ApprovalState =
  | { kind: 'none' }
  | { kind: 'file'; grant: Grant }
  | { kind: 'pending'; approvalId: string }
  | { kind: 'refused'; approvalId: string }
  | { kind: 'granted'; approvalId: string; grant: Grant }
  /** Released by registered gait tokens: their uses commit with the decision. */
  | { kind: 'tokens'; uses: Array<Omit<TokenUse, 'decision_id' | 'used_at'>>; ref: string };

export type ApprovalUse = 'requested' | 'consumed' | 'refused' | null;

/** What the decision row says about the approval, and the act that must commit with it, if any. */
export interface ApprovalRecord {
  approvalId: string | null;
  approvalUse: ApprovalUse;
  /** Files the request, consumes the grant or uses the tokens in the decision's (`decisionId`) transaction; returns the approval id. */
  commit: ((m: EntityManager, decisionId: string) => Promise<string | null>) | null;
  /** The commit failed because the grant or a token was used concurrently: the refusal step, else null (rethrow). */
  lost?: (e: unknown) => StepOutcome | null;
}

const step = (verdict: StepOutcome['verdict'], reason: string, details: Record<string, unknown>): StepOutcome => ({ step: 'approval', verdict, reason_codes: [reason], details });

/**
 * Phase 5: approvals, the one place the gate talks to ApprovalsService. Only a require_approval
 * (only the policy file asks for one) involves them, and never when simulating:
 *   - no `approval_id`: a `gate_intent` request is filed with the decision (202);
 *   - an `approval_id` still pending: 202 again, nothing new filed (`approval_pending`);
 *   - approved for this very intent, policy version, engine, amount, reserve, domain and
 *     recommendation: the grant stands in for the policy's require_approval and is consumed with
 *     the decision (allowed once);
 *   - anything else (another intent, used, rejected, unknown): block, the reason says which.
 */
@Injectable()
@OwnsApprovalKinds({ lever: GATE, kind: KIND })
export class ApprovalPhase {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly keys: ApprovalKeysService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async check(request: ParsedRequest, policy: PolicyJudgement, combined: CombinedVerdict): Promise<{ verdict: CombinedVerdict; approval: ApprovalState }> {
    const grant = request.simulate || combined.verdict !== 'require_approval' ? null : grantOf(request, policy);
    if (!grant) return { verdict: combined, approval: { kind: 'none' } };
    if (request.approvalTokens.length > 0) return this.checkTokens(request, policy, combined, grant);
    const approvalId = request.req.approval_id;
    if (!approvalId) return { verdict: combined, approval: { kind: 'file', grant } };
    const problem = await this.problemWith(approvalId, grant.digest);
    const details = { approval_id: approvalId };
    if (problem === 'approval_pending') return { verdict: withStep(combined, step('require_approval', problem, details)), approval: { kind: 'pending', approvalId } };
    if (problem) return { verdict: withStep(combined, step('block', problem, details)), approval: { kind: 'refused', approvalId } };
    return { verdict: withGrant(combined, step('allow', 'approval_granted', details)), approval: { kind: 'granted', approvalId, grant } };
  }

  /**
   * gait tokens, checked as gait checks them (applyApprovalTokens) with the registered keys. Enough
   * valid, unused tokens release the intent once; too few leave it held, and a Warden request is
   * filed as without tokens, so a person can still release it. A token signs only the intent and
   * policy digests: a request that also names an engine, amount, reserve, domain or recommendation
   * is not covered by one (`approval_token_not_applicable`, held).
   */
  private async checkTokens(request: ParsedRequest, policy: PolicyJudgement, combined: CombinedVerdict, grant: Grant): Promise<{ verdict: CombinedVerdict; approval: ApprovalState }> {
    const { req } = request;
    if (req.engine !== undefined || req.reserve === true || req.domain !== undefined || req.recommendation_id !== undefined) {
      const held = step('require_approval', 'approval_token_not_applicable', { message: 'a gait token signs only the intent and policy digests: this request also names an engine, amount, reservation, domain or recommendation' });
      return { verdict: withStep(combined, held), approval: { kind: 'file', grant } };
    }
    const e = policy.evaluation!;
    const registered = await this.keys.activeKeys();
    const outcome = applyApprovalTokens(e, request.intent!.tool_name, request.approvalTokens, { publicKey: null, keyFor: (id) => registered.get(id)?.key ?? null, now: this.clock.now() });
    const added = outcome.evaluation.reason_codes.filter((c) => !e.reason_codes.includes(c));
    const details = { required_approvals: outcome.required_approvals, valid_approvals: outcome.valid_approvals, approval_ref: outcome.approval_ref, tokens: outcome.entries };
    if (outcome.evaluation.verdict !== 'allow') {
      return { verdict: withStep(combined, { step: 'approval', verdict: 'require_approval', reason_codes: added, details }), approval: { kind: 'file', grant } };
    }
    const valid = request.approvalTokens.filter((_t, i) => outcome.entries[i]!.valid);
    const used = await this.keys.usedTokens(valid.map((t) => t.fields.token_id));
    if (used.length > 0) {
      return { verdict: withStep(combined, step('block', 'approval_token_already_used', { ...details, used_token_ids: used })), approval: { kind: 'none' } };
    }
    const uses = valid.map((t) => ({ token_id: t.fields.token_id, key_id: t.signature!.key_id, approver_identity: t.fields.approver_identity }));
    return { verdict: withGrant(combined, { step: 'approval', verdict: 'allow', reason_codes: added, details }), approval: { kind: 'tokens', uses, ref: outcome.approval_ref } };
  }

  /** Checked before anything else acts (a reservation); consumed later, with the decision. */
  private async problemWith(approvalId: string, digest: string): Promise<string | null> {
    try {
      const a = await this.approvals.get(approvalId);
      return a.kind !== KIND || a.payload_digest !== digest ? 'approval_not_for_this_intent'
        : a.consumed_at ? 'approval_already_used'
        : a.status !== 'approved' ? `approval_${a.status}`
        : null;
    } catch (e) {
      if (!(e instanceof WardenError) || e.status !== 404) throw e;
      return 'approval_not_found';
    }
  }

  /** For the record phase: the row's approval fields for the final verdict, and what commits with it. */
  recordOf(request: ParsedRequest, policy: PolicyJudgement, approval: ApprovalState, final: CombinedVerdict): ApprovalRecord {
    switch (approval.kind) {
      case 'none':
        return { approvalId: null, approvalUse: null, commit: null };
      case 'pending':
        return { approvalId: approval.approvalId, approvalUse: null, commit: null };
      case 'refused':
        return { approvalId: approval.approvalId, approvalUse: 'refused', commit: null };
      case 'file': // nothing acts after a require_approval: the final verdict is still that
        return { approvalId: null, approvalUse: 'requested', commit: (m) => this.file(m, request, policy, approval.grant, final) };
      case 'granted': {
        // Something acting after the approval blocked (a reservation denied): the grant stays unused.
        if (final.verdict !== 'allow' && final.verdict !== 'dry_run') return { approvalId: approval.approvalId, approvalUse: null, commit: null };
        const { approvalId, grant } = approval;
        return {
          approvalId,
          approvalUse: 'consumed',
          commit: async (m) => {
            await this.approvals.consume(approvalId, KIND, grant.digest, m, request.principal, request.principal);
            return approvalId;
          },
          lost: (e) => this.lostGrant(e, approvalId),
        };
      }
      case 'tokens': {
        if (final.verdict !== 'allow' && final.verdict !== 'dry_run') return { approvalId: null, approvalUse: null, commit: null };
        return {
          approvalId: null,
          approvalUse: null,
          commit: async (m, decisionId) => {
            const usedAt = this.clock.now();
            await this.keys.recordUses(approval.uses.map((u) => ({ ...u, decision_id: decisionId, used_at: usedAt })), m);
            await this.audit.record(m, request.principal, {
              action: `${GATE.name}.approval_token.accepted`,
              subject: `gate_decision:${decisionId}`,
              reason: `gait approval tokens ${approval.ref} released ${request.intent!.tool_name} for ${request.identity}`,
              details: { approval_ref: approval.ref, tokens: approval.uses, intent_digest: policy.evaluation?.intent_digest ?? null, policy_digest: policy.policyDigest },
            });
            return null;
          },
          lost: (e) => (isUniqueViolation(e) ? step('block', 'approval_token_already_used', { approval_ref: approval.ref, message: 'another decision used one of these tokens first' }) : null),
        };
      }
    }
  }

  private async file(m: EntityManager, request: ParsedRequest, policy: PolicyJudgement, grant: Grant, final: CombinedVerdict): Promise<string> {
    const intent = request.intent!;
    const filed = await this.approvals.request(
      request.principal,
      {
        kind: KIND,
        subject: grant.subject,
        payload: grant.payload,
        reason: `gate: ${intent.tool_name} by ${request.identity} (${final.reason_codes.join(', ')})`,
        riskLevel: riskLevelOf(intent.context.risk_class),
        minApprovals: policy.evaluation?.min_approvals ?? 1,
      },
      m,
    );
    return filed.approval_id;
  }

  /** A consumption that failed in the decision's transaction (used concurrently): the refusal step, else null. */
  lostGrant(e: unknown, approvalId: string): StepOutcome | null {
    if (!(e instanceof WardenError)) return null;
    const consumed = (e.extra.details as { consumed_at?: unknown } | undefined)?.consumed_at;
    return step('block', consumed ? 'approval_already_used' : 'approval_not_consumable', { approval_id: approvalId, message: e.message });
  }
}

/** Only a require_approval files or consumes a grant: digest it only then. */
function grantOf(request: ParsedRequest, policy: PolicyJudgement): Grant | null {
  if (!request.intent || !policy.policyDigest) return null;
  const subject = `gate_policy:${request.policyName}`;
  const { req } = request;
  const payload = {
    intent: intentDigestPayload(request.intent),
    policy_digest: policy.policyDigest,
    // As the request gives them (amount is already canonical: "010.50" reads "10.5"); absent is null, so it is bound too.
    engine: req.engine ?? null,
    amount: req.amount ?? null,
    reserve: req.reserve === true,
    domain: req.domain ?? null,
    recommendation_id: req.recommendation_id ?? null,
  };
  return { subject, payload, digest: approvalPayloadDigest(KIND, subject, payload) };
}

const isUniqueViolation = (e: unknown) => (e as { code?: unknown; driverError?: { code?: unknown } })?.driverError?.code === '23505' || (e as { code?: unknown })?.code === '23505';

const riskLevelOf = (riskClass: string): RiskLevel => ((RISK_LEVELS as readonly string[]).includes(riskClass) ? (riskClass as RiskLevel) : 'medium');
