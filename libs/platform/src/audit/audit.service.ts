import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { type Principal } from '../auth/principal.js';
import { DEFAULT_PAGE_LIMIT, type Page, toPage } from '../http/paging.js';
import { AuditLogEntity } from './audit-log.entity.js';
import { AuditEntryDto } from './dto/audit.dto.js';

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
  principal?: string;
  principal_token_id?: string;
  before?: string;
  since?: Date;
  until?: Date;
  limit?: number;
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

  /**
   * Newest first, in the platform paging shape; `before` is the previous page's next_cursor. A
   * subject or token filter walks its (column, id) index backwards from the cursor; the others walk
   * the primary key and stop at `limit + 1` matches.
   */
  async list(query: AuditQuery): Promise<Page<AuditEntryDto>> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const qb = this.dataSource.getRepository(AuditLogEntity).createQueryBuilder('a').orderBy('a.id', 'DESC').limit(limit + 1);
    if (query.subject) qb.andWhere('a.subject = :subject', { subject: query.subject });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.principal) qb.andWhere('a.principal = :principal', { principal: query.principal });
    if (query.principal_token_id) qb.andWhere('a.principalTokenId = :tokenId', { tokenId: query.principal_token_id });
    if (query.before) qb.andWhere('a.id < :before', { before: query.before });
    if (query.since) qb.andWhere('a.at >= :since', { since: query.since });
    if (query.until) qb.andWhere('a.at < :until', { until: query.until });
    return toPage(await qb.getMany(), limit, (row) => row.id, AuditEntryDto.from);
  }
}
