import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApprovalAct, type ApprovalResponseDto } from '#approvals';
import { HeimdallPolicyService, type UpsertHeimdallPolicyRequestDto } from '#heimdall';
import { AuditService, SYSTEM_PRINCIPAL } from '#platform';
import { PROMOTION_APPROVAL_KIND, type PromotionApprovalPayload, promotionSubject } from './promotion.constants.js';
import { PROMOTION } from './promotion.lever.js';

/**
 * The approved act of a Friday request (filed by PromotionReviewService.requestAct): an approved
 * promote enables the domain's production use, an approved demote disables it, through Heimdall's
 * audited policy upsert; pilot and no_go change nothing (they are reported by the request and the
 * decision log). Approvals runs it once, in the transaction that consumes the grant, so Heimdall's
 * change, its audit rows and the consumption commit together or not at all.
 */
@Injectable()
export class PromotionApprovalService {
  constructor(
    private readonly policies: HeimdallPolicyService,
    private readonly audit: AuditService,
  ) {}

  @ApprovalAct({ lever: PROMOTION, kind: PROMOTION_APPROVAL_KIND })
  async apply(approval: ApprovalResponseDto, manager: EntityManager): Promise<void> {
    const payload = approval.payload as PromotionApprovalPayload;
    const prodUse = payload.verdict === 'promote' ? true : payload.verdict === 'demote' ? false : undefined;
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
