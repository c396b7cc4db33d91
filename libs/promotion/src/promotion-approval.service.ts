import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApprovalsService, type DecidedApproval } from '#approvals';
import { HeimdallPolicyService, type UpsertHeimdallPolicyRequestDto } from '#heimdall';
import { AuditService, SYSTEM_PRINCIPAL } from '#platform';
import { PROMOTION_APPROVAL_KIND, type PromotionApprovalPayload, promotionSubject } from './promotion.constants.js';

/**
 * Acts on a decided Friday request: an approved promote enables the domain's production use, an
 * approved demote disables it, through Heimdall's audited policy upsert; pilot and no_go change
 * nothing (they are reported by the request and the decision log). The grant is consumed in the
 * handler's transaction, so the act is recorded once.
 */
@Injectable()
export class PromotionApprovalService implements OnModuleInit {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly policies: HeimdallPolicyService,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.approvals.onDecided(PROMOTION_APPROVAL_KIND, (event, manager) => this.apply(event, manager));
  }

  async apply({ approval, status }: DecidedApproval, manager: EntityManager): Promise<void> {
    if (status !== 'approved' || approval.consumed_at) return;
    const payload = approval.payload as PromotionApprovalPayload;
    await this.approvals.consume(approval.id, PROMOTION_APPROVAL_KIND, approval.payload_digest, manager, SYSTEM_PRINCIPAL);
    const prodUse = payload.verdict === 'promote' ? true : payload.verdict === 'demote' ? false : undefined;
    if (prodUse !== undefined) {
      // Idempotent (sets one field): a retry after a rolled-back handler sets the same value again.
      const change: UpsertHeimdallPolicyRequestDto = {
        domain: payload.domain,
        prod_use_enabled: prodUse,
        reason: `promotion review of ${payload.week}: ${payload.verdict} approved (approval ${approval.id})`,
      };
      await this.policies.upsert(SYSTEM_PRINCIPAL, change);
    }
    await this.audit.record(manager, SYSTEM_PRINCIPAL, {
      action: 'promotion.apply',
      subject: promotionSubject(payload.domain),
      reason: approval.reason,
      details: { ...payload, approval_id: approval.id, prod_use_enabled: prodUse ?? 'unchanged' },
    });
  }
}
