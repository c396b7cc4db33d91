import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { approvalPayloadDigest, ApprovalsService, OwnsApprovalKinds, type RiskLevel, RISK_LEVELS } from '#approvals';
import { WardenError } from '#platform';
import { type CombinedVerdict, type StepOutcome, withGrant, withStep } from '../decide/combine.js';
import { intentDigestPayload } from '../decide/digest.js';
import type { ParsedRequest } from './01-parse.phase.js';
import type { PolicyJudgement } from './03-apply-policy.phase.js';
import { GATE } from '../gate.lever.js';

const KIND = 'gate_intent';

/** What an approval of this intent is bound to: the normalised intent and the policy version. */
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
  | { kind: 'granted'; approvalId: string; grant: Grant };

export type ApprovalUse = 'requested' | 'consumed' | 'refused' | null;

/** What the decision row says about the approval, and the act that must commit with it, if any. */
export interface ApprovalRecord {
  approvalId: string | null;
  approvalUse: ApprovalUse;
  /** Files the request or consumes the grant in the decision's transaction; returns the approval id. */
  commit: ((m: EntityManager) => Promise<string>) | null;
}

const step = (verdict: StepOutcome['verdict'], reason: string, details: Record<string, unknown>): StepOutcome => ({ step: 'approval', verdict, reason_codes: [reason], details });

/**
 * Phase 5: approvals, the one place the gate talks to ApprovalsService. Only a require_approval
 * (only the policy file asks for one) involves them, and never when simulating:
 *   - no `approval_id`: a `gate_intent` request is filed with the decision (202);
 *   - an `approval_id` still pending: 202 again, nothing new filed (`approval_pending`);
 *   - approved for this very intent and policy version: the grant stands in for the policy's
 *     require_approval and is consumed with the decision (allowed once);
 *   - anything else (another intent, used, rejected, unknown): block, the reason says which.
 */
@Injectable()
@OwnsApprovalKinds({ lever: GATE, kind: KIND })
export class ApprovalPhase {
  constructor(private readonly approvals: ApprovalsService) {}

  async check(request: ParsedRequest, policy: PolicyJudgement, combined: CombinedVerdict): Promise<{ verdict: CombinedVerdict; approval: ApprovalState }> {
    const grant = request.simulate || combined.verdict !== 'require_approval' ? null : grantOf(request, policy);
    if (!grant) return { verdict: combined, approval: { kind: 'none' } };
    const approvalId = request.req.approval_id;
    if (!approvalId) return { verdict: combined, approval: { kind: 'file', grant } };
    const problem = await this.problemWith(approvalId, grant.digest);
    const details = { approval_id: approvalId };
    if (problem === 'approval_pending') return { verdict: withStep(combined, step('require_approval', problem, details)), approval: { kind: 'pending', approvalId } };
    if (problem) return { verdict: withStep(combined, step('block', problem, details)), approval: { kind: 'refused', approvalId } };
    return { verdict: withGrant(combined, step('allow', 'approval_granted', details)), approval: { kind: 'granted', approvalId, grant } };
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
  const payload = { intent: intentDigestPayload(request.intent), policy_digest: policy.policyDigest };
  return { subject, payload, digest: approvalPayloadDigest(KIND, subject, payload) };
}

const riskLevelOf = (riskClass: string): RiskLevel => ((RISK_LEVELS as readonly string[]).includes(riskClass) ? (riskClass as RiskLevel) : 'medium');
