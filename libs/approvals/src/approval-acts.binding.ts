import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, Clock, OutboxService, type Principal, SYSTEM_PRINCIPAL } from '#platform';
import { ApprovalActsRegistry, type RegisteredAct } from './approval-acts.registry.js';
import { ApprovalActsRepository } from './approval-acts.repository.js';
import { decidedNotification } from './approval-notifications.js';
import { ApprovalsErrors } from './approvals.errors.js';
import { ApprovalsMetrics } from './approvals.metrics.js';
import type { ApprovalRow } from './approvals.repository.js';

/** Whether an act's request may run now: `current` is the state's version as the act's reader sees it. */
export type BoundCheck = { ok: true } | { ok: false; current: string | null };

/**
 * The one place where a request is bound to the state its act undoes (an act with a state reader,
 * @ApprovalActState): at filing it takes the version in force (none: 409 act_not_applicable); when
 * the lever reports a change, the open requests bound to another version are voided (cancelled,
 * audited `approval.void` with why); and when an approved request runs, its act runs only if the
 * version is still the one it was filed for (else nothing, audited `approval.act_stale`).
 */
@Injectable()
export class ApprovalActBinding {
  constructor(
    private readonly registry: ApprovalActsRegistry,
    private readonly repo: ApprovalActsRepository,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly metrics: ApprovalsMetrics,
  ) {}

  /** The version a new request for `act` on `subject` is bound to (null: the act is bound to nothing); refuses when there is nothing to undo. */
  async versionToFile(act: RegisteredAct, subject: string, manager: EntityManager): Promise<string | null> {
    if (!act.state) return null;
    const version = await act.state(subject, manager);
    if (version === null) {
      throw ApprovalsErrors.raise('act_not_applicable', `${act.act}: ${subject} is in no state this act undoes now (nothing to release, lift or carry out)`, {
        details: { act: act.act, lever: act.lever.name, subject },
      });
    }
    return version;
  }

  /** At run time, in the transaction that consumes the grant: the reader locks the state for the rest of it. */
  async check(act: RegisteredAct, row: ApprovalRow, manager: EntityManager): Promise<BoundCheck> {
    if (!act.state) return { ok: true };
    const current = await act.state(row.subject, manager);
    return row.bound_version !== null && current === row.bound_version ? { ok: true } : { ok: false, current };
  }

  /** Records an approved request that ran nothing because its state moved on (the grant is spent all the same). */
  async recordStale(row: ApprovalRow, current: string | null, manager: EntityManager): Promise<void> {
    await this.audit.record(manager, SYSTEM_PRINCIPAL, {
      action: 'approval.act_stale',
      subject: `approval:${row.id}`,
      reason: `${row.act} not run: it was filed for ${row.subject} at version ${row.bound_version ?? 'none'}, which is now ${current ?? 'none'}`,
      details: { act: row.act, lever: row.lever, subject: row.subject, bound_version: row.bound_version, current_version: current },
    });
    this.metrics.decisions.inc({ kind: row.kind, outcome: 'stale' });
  }

  /**
   * Voids the open requests for `act` on `subject` bound to a version other than the one now in force
   * (read through the act's reader in `manager`'s transaction: call it after your change). Returns how
   * many were voided. A no-op for an act bound to nothing.
   */
  async voidStale(principal: Principal, actName: string, subject: string, why: string, manager: EntityManager): Promise<number> {
    const act = this.registry.act(actName);
    if (!act) throw new Error(`no approval act ${actName} is defined`);
    if (!act.state) return 0;
    const current = await act.state(subject, manager);
    const rows = await this.repo.voidStale(manager, { act: act.act, subject, current, now: this.clock.now() });
    for (const row of rows) {
      await this.audit.record(manager, principal, {
        action: 'approval.void',
        subject: `approval:${row.id}`,
        reason: why,
        details: { kind: row.kind, act: row.act, lever: row.lever, subject: row.subject, bound_version: row.bound_version, current_version: current, status: 'cancelled' },
      });
      await this.outbox.enqueue(manager, decidedNotification(row, principal.name, `voided: ${why}`));
      this.metrics.decisions.inc({ kind: row.kind, outcome: 'voided' });
    }
    return rows.length;
  }
}
