import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { type Principal } from '../auth/principal.js';
import { AuditLogEntity } from './audit-log.entity.js';

export interface AuditEntry {
  action: string;
  subject: string;
  reason?: string | null;
  actorLabel?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditQuery {
  subject?: string;
  action?: string;
  principal_token_id?: string;
  before?: string;
  limit: number;
}

/** The audit trail. `record` must be given the manager of the transaction that makes the change. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, principal: Principal, entry: AuditEntry): Promise<void> {
    await manager.query(
      `INSERT INTO audit_log (principal, principal_token_id, actor_label, action, subject, reason, details) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [principal.name, principal.tokenId, entry.actorLabel ?? null, entry.action, entry.subject, entry.reason ?? null, entry.details ?? {}],
    );
  }

  /**
   * The audit records of one subject with an action under `actionPrefix`, recorded in [from, to),
   * oldest first (the review's control-plane changes). Reads ix_audit_log_subject.
   */
  async changesBetween(subject: string, actionPrefix: string, from: Date, to: Date, limit = 500): Promise<AuditLogEntity[]> {
    return this.dataSource
      .getRepository(AuditLogEntity)
      .createQueryBuilder('a')
      .where('a.subject = :subject', { subject })
      .andWhere('starts_with(a.action, :prefix)', { prefix: actionPrefix })
      .andWhere('a.at >= :from AND a.at < :to', { from, to })
      .orderBy('a.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** Newest first; `before` is the id cursor of the previous page's last row. */
  async list(query: AuditQuery): Promise<{ items: AuditLogEntity[]; next_cursor: string | null }> {
    const qb = this.dataSource.getRepository(AuditLogEntity).createQueryBuilder('a').orderBy('a.id', 'DESC').limit(query.limit);
    if (query.subject) qb.andWhere('a.subject = :subject', { subject: query.subject });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.principal_token_id) qb.andWhere('a.principalTokenId = :tokenId', { tokenId: query.principal_token_id });
    if (query.before) qb.andWhere('a.id < :before', { before: query.before });
    const items = await qb.getMany();
    return { items, next_cursor: items.length === query.limit ? items[items.length - 1].id : null };
  }
}
