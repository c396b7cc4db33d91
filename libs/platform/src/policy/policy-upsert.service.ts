import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { WardenError } from '../errors/warden-error.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** One policy create-or-update, described by the lever; the mechanism is the platform's. */
export interface PolicyChange<Row, View> {
  /** The lever's name: audit actions are `<lever>.policy.create|update`, metrics `<lever>{outcome=policy_create|policy_update}`. */
  lever: string;
  /** Names the policy in the audit trail and in the lock, e.g. `risk_policy:WHOLESALE`. */
  subject: string;
  /** Fields a new policy must state, with the values given (undefined = not given). */
  requiredToCreate: Record<string, unknown>;
  load(manager: EntityManager): Promise<Row | undefined>;
  /** Writes the new row from the old one (undefined on create) and returns it. */
  write(manager: EntityManager, before: Row | undefined): Promise<Row>;
  /** What the audit trail records of a row, and what the caller gets back. */
  view(row: Row): View;
  reason?: string | null;
  actorLabel?: string | null;
  /** More for the audit row beside before/after (an approved change: its approval, requester and approvers). */
  details?: Record<string, unknown>;
  /** The lever's own records of the change, written in the same transaction. */
  recorded?(manager: EntityManager, before: View | null, after: View): Promise<void>;
}

export const POLICY_INCOMPLETE = 'policy_incomplete';

/**
 * Creates or updates a lever's policy: serialized per subject by a transaction-scoped advisory lock
 * (a row lock cannot serialize two creates of a row that does not exist yet), refused with
 * `policy_incomplete` naming every missing field when a new policy lacks one, audited and counted in
 * the same transaction.
 */
@Injectable()
export class PolicyUpsertService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  async upsert<Row, View>(principal: Principal, change: PolicyChange<Row, View>, manager?: EntityManager): Promise<{ policy: View; created: boolean }> {
    const run = async (m: EntityManager) => {
      const before = await this.loadChecked(m, change);
      const after = change.view(await change.write(m, before));
      const beforeView = before === undefined ? null : change.view(before);
      const action = before === undefined ? 'create' : 'update';
      await this.audit.record(m, principal, {
        action: `${change.lever}.policy.${action}`,
        subject: change.subject,
        reason: change.reason ?? null,
        actorLabel: change.actorLabel ?? null,
        details: { before: beforeView, after, ...change.details },
      });
      await change.recorded?.(m, beforeView, after);
      return { policy: after, created: before === undefined };
    };
    const result = manager ? await run(manager) : await this.dataSource.transaction(run);
    this.metrics.decision(change.lever, result.created ? 'policy_create' : 'policy_update');
    return result;
  }

  /**
   * What `change` would make of the policy, without making it: the same lock, load, checks and write,
   * inside a savepoint that is then rolled back (so a database constraint refuses a proposal as it
   * would refuse the change). Nothing is audited, recorded or counted. The lock stays held for the
   * rest of `manager`'s transaction, so the caller files its change request against this very state.
   */
  async preview<Row, View>(change: PolicyChange<Row, View>, manager: EntityManager): Promise<{ before: View | null; after: View }> {
    const before = await this.loadChecked(manager, change);
    await manager.query('SAVEPOINT policy_preview');
    try {
      const after = change.view(await change.write(manager, before));
      return { before: before === undefined ? null : change.view(before), after };
    } finally {
      await manager.query('ROLLBACK TO SAVEPOINT policy_preview');
    }
  }

  private async loadChecked<Row, View>(m: EntityManager, change: PolicyChange<Row, View>): Promise<Row | undefined> {
    await this.lock(m, change.subject);
    const before = await change.load(m);
    if (before === undefined) {
      const missing = Object.entries(change.requiredToCreate).filter(([, v]) => v === undefined).map(([k]) => k);
      if (missing.length) {
        throw WardenError.badRequest(POLICY_INCOMPLETE, `a new policy must state ${missing.join(', ')}`, {
          fields: missing.map((field) => ({ field, problems: ['required for a new policy'] })),
        });
      }
    }
    return before;
  }

  /**
   * Takes the policy's lock for the rest of `manager`'s transaction: for a lever's other writes of the
   * same policy (e.g. the risk guard's disable/enable) to serialize with upserts, creates included.
   */
  async lock(manager: EntityManager, subject: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`policy:${subject}`]);
  }
}
