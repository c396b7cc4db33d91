import { Injectable } from '@nestjs/common';
import { ApprovalsService } from '#approvals';
import { AuditService, Clock, MetricsService, OutboxService, type Principal, WardenError, PlatformErrorCode } from '#platform';
import { notPending, reviewRequest } from './change-decisions.service.js';
import { ChangeReadsService } from './change-reads.service.js';
import { type ChangeView, effectiveStatus, viewOf } from './change-view.js';
import { CHANGES } from './changes.lever.js';
import { breakGlassNotification } from './changes.notifications.js';
import { ChangesRepository } from './changes.repository.js';

/**
 * Break-glass, the seed's emergency procedure without its switch: one operator lets one held
 * change through, alone, with a reason. In one transaction: the change moves to `break_glass`
 * (approved by that operator), the audit row, the `change.break_glass` notification (delivered
 * after commit, at once), and a retroactive review (kind `change_review`) filed as that operator,
 * which only a second operator can close. Nothing turns change governance off: each use is one
 * change, and it stays in the Monday review's "needs attention" until its review is closed.
 */
@Injectable()
export class BreakGlassService {
  constructor(
    private readonly repo: ChangesRepository,
    private readonly reads: ChangeReadsService,
    private readonly approvals: ApprovalsService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  async breakGlass(principal: Principal, id: string, reasonText: unknown): Promise<ChangeView> {
    const reason = typeof reasonText === 'string' ? reasonText.trim() : '';
    if (!reason || reason.length > 1000) {
      throw WardenError.badRequest(PlatformErrorCode.ValidationFailed, 'reason is required (1-1000 characters): a break-glass says why', {
        fields: [{ field: 'reason', problems: ['reason must be 1-1000 characters'] }],
      });
    }
    const now = this.clock.now();
    const row = await this.repo.db.transaction(async (m) => {
      const held = await this.reads.row(id, m, true);
      const state = effectiveStatus(held, now, await this.reads.live(held, m));
      if (state.status !== 'pending') throw notPending(held, state.status);
      const draft = { ...held, break_glass_by: principal.name, break_glass_reason: reason };
      const review = await this.approvals.request(principal, reviewRequest(draft), m);
      const moved = (await this.repo.breakGlass(m, held.id, { by: principal.name, token: principal.tokenId, reason, at: now, reviewId: review.approval_id }))!;
      await this.audit.record(m, principal, {
        action: 'changes.break_glass',
        subject: `change:${held.id}`,
        reason,
        details: { approval_id: held.approval_id, review_approval_id: review.approval_id, tier: held.tier, risk_level: held.risk_level, paths: held.answer.requested_paths.length },
      });
      await this.outbox.enqueue(m, breakGlassNotification(moved));
      return moved;
    });
    this.metrics.decision(CHANGES.name, 'break_glass');
    return viewOf(row, now);
  }
}
