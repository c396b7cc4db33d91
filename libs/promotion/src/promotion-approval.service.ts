import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApprovalAct, ApprovalActState, type ApprovalResponseDto } from '#approvals';
import { HeimdallPolicyService, type UpsertHeimdallPolicyRequestDto } from '#heimdall';
import { AuditService, SYSTEM_PRINCIPAL } from '#platform';
import { PROMOTION_APPROVAL_KIND, type PromotionApprovalPayload, promotionSubject } from './promotion.constants.js';
import { PROMOTION } from './promotion.lever.js';
import { PromotionRepository } from './promotion.repository.js';

/**
 * The approved act of a Friday request (filed by PromotionReviewService.requestAct): an approved
 * promote — or borderline, the promote the foresight gate held for a person's review — enables the
 * domain's production use, an approved demote disables it, through Heimdall's
 * audited policy upsert; pilot and no_go change nothing (they are reported by the request and the
 * decision log). Approvals runs it once, in the transaction that consumes the grant, so Heimdall's
 * change, its audit rows and the consumption commit together or not at all. A request is bound to
 * the Friday decision it was filed for (latestDecision): a newer review voids it, and it carries out
 * only that decision's verdict, for that decision's domain.
 */
@Injectable()
export class PromotionApprovalService {
  constructor(
    private readonly policies: HeimdallPolicyService,
    private readonly audit: AuditService,
    private readonly repo: PromotionRepository,
  ) {}

  /** What a Friday request carries out: the domain's latest Friday decision; null for a domain Heimdall has no policy for. */
  @ApprovalActState(PROMOTION_APPROVAL_KIND)
  async latestDecision(subject: string, manager: EntityManager): Promise<string | null> {
    const domain = subject.slice(promotionSubject('').length);
    if (!(await this.policies.list()).some((p) => p.domain === domain)) return null;
    return (await this.repo.latestWeekDecision(manager, domain))?.id ?? null;
  }

  @ApprovalAct({ lever: PROMOTION, kind: PROMOTION_APPROVAL_KIND })
  async apply(approval: ApprovalResponseDto, manager: EntityManager): Promise<void> {
    const payload = approval.payload as PromotionApprovalPayload;
    const domain = approval.subject.slice(promotionSubject('').length);
    const decision = await this.repo.latestWeekDecision(manager, domain);
    const mismatch = !decision ? `no Friday decision for ${domain}`
      : decision.id !== approval.bound_version || decision.id !== payload.decision_id ? `the latest Friday decision of ${domain} is ${decision.id}, not ${payload.decision_id}`
      : decision.domain !== payload.domain ? `decision ${decision.id} is for ${decision.domain}, not ${payload.domain}`
      : decision.verdict !== payload.verdict || decision.week !== payload.week ? `decision ${decision.id} says ${decision.verdict} for ${decision.week}, not ${payload.verdict} for ${payload.week}`
      : null;
    if (mismatch) {
      // Never retried (it would not come true): recorded, and nothing changes.
      await this.audit.record(manager, SYSTEM_PRINCIPAL, {
        action: 'promotion.apply_refused',
        subject: promotionSubject(payload.domain),
        reason: mismatch,
        details: { ...payload, approval_id: approval.id },
      });
      return;
    }
    // A borderline review approved is a person accepting the forecast's risk: the promote goes ahead.
    const prodUse = payload.verdict === 'promote' || payload.verdict === 'borderline' ? true : payload.verdict === 'demote' ? false : undefined;
    if (prodUse !== undefined) {
      const change: UpsertHeimdallPolicyRequestDto = {
        domain: payload.domain,
        prod_use_enabled: prodUse,
        reason: `promotion review of ${payload.week}: ${payload.verdict} approved (approval ${approval.id})`,
      };
      await this.policies.upsert(SYSTEM_PRINCIPAL, change, manager);
    }
    await this.audit.record(manager, SYSTEM_PRINCIPAL, {
      action: 'promotion.apply',
      subject: promotionSubject(payload.domain),
      reason: approval.reason,
      details: { ...payload, approval_id: approval.id, prod_use_enabled: prodUse ?? 'unchanged' },
    });
  }
}
