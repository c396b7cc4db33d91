import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApprovalDecisionsService, ApprovalsService, type DecidedApproval, OwnsApprovalKinds } from '#approvals';
import { AuditService, Clock, MetricsService, type Principal, SYSTEM_PRINCIPAL } from '#platform';
import { effectiveStatus } from './change-view.js';
import { ChangeReadsService, outcomeOf } from './change-reads.service.js';
import { CHANGES } from './changes.lever.js';
import { ChangesErrors } from './changes.errors.js';
import { type ChangeRow, ChangesRepository } from './changes.repository.js';
import { CHANGE_KIND, CHANGE_REVIEW_KIND } from './changes.service.js';

export interface AutopackDecision {
  /** Autopack's words: approved | denied; `pending` while a critical change waits for its second approver. */
  status: 'approved' | 'denied' | 'pending';
  request_id: string;
  message: string;
  approval_id: string;
  approvals: number;
  min_approvals: number;
}

/** The 409 for a request that is no longer pending (decided at birth, by people, by expiry, or let through). */
export function notPending(row: ChangeRow, status: string) {
  return ChangesErrors.raise('change_not_pending', `change request ${row.id} is already ${status}: a decided request never changes`, { details: { request_id: row.id, status } });
}

/**
 * Decisions on held changes go through Warden's approvals, whose rules they keep: no self-approval
 * (the requesting token's principal), distinct approvers and two of them for `critical`, one
 * rejection rejects, expiry is rejection, one decision only. The change lever owns the kinds
 * `change` and `change_review` and hears their outcomes (onDecided, exactly once, in the handler's
 * transaction); the Autopack route writes the outcome through at once as well (the same statement,
 * a no-op the second time).
 */
@Injectable()
@OwnsApprovalKinds({ lever: CHANGES, kind: CHANGE_KIND }, { lever: CHANGES, kind: CHANGE_REVIEW_KIND })
export class ChangeDecisionsService implements OnModuleInit {
  constructor(
    private readonly repo: ChangesRepository,
    private readonly reads: ChangeReadsService,
    private readonly approvals: ApprovalsService,
    private readonly decisions: ApprovalDecisionsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.approvals.onDecided(CHANGE_KIND, (event, m) => this.changeDecided(event, m));
    this.approvals.onDecided(CHANGE_REVIEW_KIND, (event, m) => this.reviewDecided(event, m));
  }

  /** POST /governance/approve/{id}?approved=&user_id=: `user_id` is a label beside the caller, never trusted. */
  async approve(principal: Principal, id: string, approved: boolean, userId: string | null, reason: string | null): Promise<AutopackDecision> {
    const row = await this.reads.row(id);
    const now = effectiveStatus(row, this.clock.now(), await this.reads.live(row));
    if (now.status !== 'pending') throw notPending(row, now.status);
    const label = userId ? ` (user_id ${userId})` : '';
    const view = approved
      ? await this.decisions.approve(principal, row.approval_id!, reason ?? `approved via /governance/approve${label}`)
      : await this.decisions.reject(principal, row.approval_id!, reason ?? `denied via /governance/approve${label}`);
    await this.repo.db.transaction(async (m) => {
      await this.audit.record(m, principal, {
        action: approved ? 'changes.approve' : 'changes.deny',
        subject: `change:${row.id}`,
        reason,
        actorLabel: userId,
        details: { approval_id: row.approval_id, approval_status: view.status, approvals: view.approvals, min_approvals: view.min_approvals },
      });
      if (view.status !== 'pending') await this.settle(m, row.id, outcomeOf(view));
    });
    const status = view.status === 'approved' ? 'approved' : view.status === 'pending' ? 'pending' : 'denied';
    const message = status === 'pending' ? `approval recorded: ${view.approvals} of ${view.min_approvals} distinct approvers` : `Governance request ${status}`;
    return { status, request_id: row.id, message, approval_id: row.approval_id!, approvals: view.approvals, min_approvals: view.min_approvals };
  }

  /** A held change's approval was decided (approved, rejected, expired, cancelled): record it, once. */
  private async changeDecided(event: DecidedApproval, m: EntityManager): Promise<void> {
    const row = await this.repo.byApproval(m, event.approval.id);
    if (!row) return;
    if (row.status === outcomeOf(event.approval).status) return; // written through by the Autopack route already
    if (row.status !== 'pending') {
      // Let through by break-glass before anyone decided: the late decision changes nothing, but is kept.
      await this.audit.record(m, SYSTEM_PRINCIPAL, { action: 'changes.late_decision', subject: `change:${row.id}`, reason: `approval ${event.status} after the change was ${row.status}`, details: { approval_id: event.approval.id } });
      return;
    }
    await this.settle(m, row.id, outcomeOf(event.approval));
  }

  private async settle(m: EntityManager, id: string, o: ReturnType<typeof outcomeOf>): Promise<void> {
    if (o.status === 'pending') return;
    const decided = await this.repo.decide(m, id, { status: o.status, by: o.by, reason: o.status === 'expired' ? 'no decision before expires_at (expiry is rejection)' : null, at: o.at ?? this.clock.now() });
    if (decided) this.metrics.decision(CHANGES.name, o.status);
  }

  /**
   * A break-glass review was closed: approved upholds the break-glass, rejected disputes it (both
   * close it). Expired or withdrawn by its filer, it is filed again: only a second operator closes it.
   */
  private async reviewDecided(event: DecidedApproval, m: EntityManager): Promise<void> {
    const row = await this.repo.byReview(m, event.approval.id);
    if (!row || row.review_status !== 'open') return;
    if (event.status === 'approved' || event.status === 'rejected') {
      const o = outcomeOf(event.approval);
      const status = event.status === 'approved' ? 'upheld' : 'disputed';
      await this.repo.closeReview(m, row.id, status, o.by ?? 'unknown', o.at ?? this.clock.now());
      await this.audit.record(m, SYSTEM_PRINCIPAL, { action: `changes.break_glass_review.${status}`, subject: `change:${row.id}`, reason: null, details: { review_approval_id: event.approval.id, closed_by: o.by } });
      this.metrics.decision(CHANGES.name, status === 'upheld' ? 'review_upheld' : 'review_disputed');
      return;
    }
    const filer: Principal = { tokenId: row.break_glass_token!, name: row.break_glass_by!, role: 'operator', engines: null, domains: null };
    const again = await this.approvals.request(filer, reviewRequest(row), m);
    await this.repo.refileReview(m, row.id, again.approval_id);
    await this.audit.record(m, SYSTEM_PRINCIPAL, {
      action: 'changes.break_glass_review.refile',
      subject: `change:${row.id}`,
      reason: `the review ${event.approval.id} was ${event.status}: a break-glass stays under review until a second operator closes it`,
      details: { previous: event.approval.id, review_approval_id: again.approval_id },
    });
  }
}

/** The retroactive review of a break-glass, filed as the operator who broke the glass (so another must close it). */
export function reviewRequest(row: ChangeRow) {
  const text = `retroactive review: ${row.break_glass_by} let held change ${row.id} (run ${row.run_id}/${row.phase_id}, tier ${row.tier}, ${row.risk_level}) through by break-glass: ${row.break_glass_reason}`;
  return {
    kind: CHANGE_REVIEW_KIND,
    subject: `change:${row.id}`,
    payload: { request_id: row.id, approval_id: row.approval_id, break_glass_by: row.break_glass_by, reason: row.break_glass_reason, paths: row.answer.requested_paths.slice(0, 100), tier: row.tier },
    reason: text.length > 1000 ? `${text.slice(0, 997)}...` : text,
    riskLevel: 'high' as const,
    timeoutSeconds: 7 * 24 * 3600,
  };
}
