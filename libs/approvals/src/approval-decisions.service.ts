import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, Clock, OutboxService, personOf, type Principal, SYSTEM_PRINCIPAL } from '#platform';
import { decidedNotification } from './approval-notifications.js';
import { ApprovalsErrors } from './approvals.errors.js';
import { ApprovalsMetrics } from './approvals.metrics.js';
import { ApprovalsRepository, type CancelOutcome, type DecideOutcome } from './approvals.repository.js';
import { ApprovalsService } from './approvals.service.js';
import { ApprovalsStream } from './approvals.stream.js';
import { ApprovalResponseDto } from './dto/approval.dto.js';

const SWEEP_BATCH = 1000;

/**
 * Approve, reject, cancel and the expiry sweep. Each is one conditional statement in the
 * repository (the rule lives in PostgreSQL); here: the transaction, the audit row, the notification
 * in the same transaction, the answer and the metrics.
 */
@Injectable()
export class ApprovalDecisionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: ApprovalsRepository,
    private readonly approvals: ApprovalsService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly metrics: ApprovalsMetrics,
    private readonly streamEvents: ApprovalsStream,
  ) {}

  approve(principal: Principal, id: string, reason?: string | null): Promise<ApprovalResponseDto> {
    return this.decide(principal, id, 'approve', reason?.trim() || null);
  }

  reject(principal: Principal, id: string, reason: string): Promise<ApprovalResponseDto> {
    return this.decide(principal, id, 'reject', ApprovalsService.requireText(reason, 'reason'));
  }

  private async decide(principal: Principal, id: string, decision: 'approve' | 'reject', reason: string | null): Promise<ApprovalResponseDto> {
    const now = this.clock.now();
    let kind = 'unknown';
    try {
      const answer = await this.dataSource.transaction(async (manager) => {
        const result = await this.repo.decide(manager, {
          id,
          now,
          approver: principal.name,
          approverToken: principal.tokenId,
          approverRole: principal.role,
          approverPerson: personOf(principal),
          decision,
          reason,
        });
        if (!result) throw ApprovalsErrors.raise('approval_not_found', `no approval request ${id}`);
        kind = result.kind;
        if (result.outcome !== 'ok') throw refusal(result.outcome, id, result.status_before);
        const view = await this.approvals.get(id, manager);
        await this.audit.record(manager, principal, {
          action: `approval.${decision}`,
          subject: `approval:${id}`,
          reason,
          details: {
            kind: view.kind,
            status: view.status,
            approvals: view.approvals,
            min_approvals: view.min_approvals,
            token_id: principal.tokenId,
            person: personOf(principal),
          },
        });
        if (view.status !== 'pending') await this.notifyDecided(manager, id, principal.name, reason);
        return view;
      });
      this.metrics.decisions.inc({ kind, outcome: decision });
      return answer;
    } catch (err) {
      this.metrics.decisions.inc({ kind, outcome: (err as { code?: string }).code ?? 'error' });
      throw err;
    }
  }

  /** The requester withdraws a pending request (nobody else may). */
  async cancel(principal: Principal, id: string, reason?: string | null): Promise<ApprovalResponseDto> {
    const now = this.clock.now();
    const answer = await this.dataSource.transaction(async (manager) => {
      const result = await this.repo.cancel(manager, { id, now, requester: principal.name });
      if (!result) throw ApprovalsErrors.raise('approval_not_found', `no approval request ${id}`);
      if (result.outcome !== 'ok') throw cancelRefusal(result.outcome, id);
      const view = await this.approvals.get(id, manager);
      await this.audit.record(manager, principal, {
        action: 'approval.cancel',
        subject: `approval:${id}`,
        reason: reason ?? null,
        details: { kind: view.kind, token_id: principal.tokenId },
      });
      await this.notifyDecided(manager, id, principal.name, reason ?? null);
      return view;
    });
    this.metrics.decisions.inc({ kind: answer.kind, outcome: 'cancelled' });
    return answer;
  }

  /** The sweep: records every request past expires_at as expired, audited and announced, in the job's transaction. */
  async expireDue(manager: EntityManager): Promise<number> {
    const rows = await this.repo.expireDue(manager, this.clock.now(), SWEEP_BATCH);
    for (const row of rows) {
      await this.audit.record(manager, SYSTEM_PRINCIPAL, {
        action: 'approval.expire',
        subject: `approval:${row.id}`,
        reason: 'expires_at passed without a decision (expiry is rejection)',
        details: { kind: row.kind, expires_at: new Date(row.expires_at).toISOString() },
      });
      await this.outbox.enqueue(manager, decidedNotification(row, 'system', 'no decision before expires_at'));
      await this.streamEvents.decided(manager, row, 'system', 'no decision before expires_at');
      this.metrics.decisions.inc({ kind: row.kind, outcome: 'expired' });
    }
    return rows.length;
  }

  private async notifyDecided(manager: EntityManager, id: string, by: string, reason: string | null): Promise<void> {
    const row = await this.repo.find(id, this.clock.now(), manager);
    await this.outbox.enqueue(manager, decidedNotification(row!, by, reason));
    await this.streamEvents.decided(manager, row!, by, reason);
  }
}

function refusal(outcome: Exclude<DecideOutcome, 'ok'>, id: string, status: string) {
  switch (outcome) {
    case 'not_pending':
      return ApprovalsErrors.raise('approval_not_pending', `approval ${id} is already ${status}: a decided request never changes`, { details: { status } });
    case 'expired':
      return ApprovalsErrors.raise('approval_expired', `approval ${id} expired before this decision (expiry is rejection)`, { details: { status: 'expired' } });
    case 'self_decision':
      return ApprovalsErrors.raise('self_decision_forbidden', `the requester of approval ${id} cannot decide it: another person must`, { details: { rule: 'requester' } });
    case 'made_by_requester':
      return ApprovalsErrors.raise('self_decision_forbidden', `approval ${id} cannot be decided with a token its requester (or the requester's person) made: another person must`, {
        details: { rule: 'made_by_requester' },
      });
    case 'made_after_request':
      return ApprovalsErrors.raise('self_decision_forbidden', `approval ${id} cannot be decided with a token made after it was filed`, {
        details: { rule: 'made_after_request' },
      });
    case 'role_not_allowed':
      return ApprovalsErrors.raise('approver_role_not_allowed', `your role may not decide approval ${id}`);
    case 'duplicate':
      return ApprovalsErrors.raise('already_decided_by_approver', `you already decided approval ${id}: an approver counts once`, { details: { by: 'token' } });
    case 'person_decided':
      return ApprovalsErrors.raise(
        'already_decided_by_approver',
        `your person already decided approval ${id} (with another token, or with the token that made yours): a person counts once`,
        { details: { by: 'person' } },
      );
  }
}

function cancelRefusal(outcome: Exclude<CancelOutcome, 'ok'>, id: string) {
  switch (outcome) {
    case 'not_pending':
      return ApprovalsErrors.raise('approval_not_pending', `approval ${id} is already decided`);
    case 'expired':
      return ApprovalsErrors.raise('approval_expired', `approval ${id} has expired`);
    case 'not_requester':
      return ApprovalsErrors.raise('not_requester', `only the requester may cancel approval ${id}`);
  }
}
