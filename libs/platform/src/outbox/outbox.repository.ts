import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlOne, sqlRows } from '../database/sql.js';

export interface OutboxRow {
  id: string;
  topic: string;
  subject: string;
  body: Record<string, unknown>;
  text: string;
  created_at: Date;
  attempts: number;
}

/** All of the outbox's SQL. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: Pick<EntityManager, 'query'>, row: { topic: string; subject: string; body: Record<string, unknown>; text: string }): Promise<string> {
    const inserted = await sqlOne<{ id: string }>(
      manager,
      `INSERT INTO notification_outbox (topic, subject, body, text) VALUES ($1, $2, $3, $4) RETURNING id`,
      [row.topic, row.subject, row.body, row.text],
    );
    return inserted!.id;
  }

  /**
   * Claims up to `limit` deliverable rows and commits at once (no network call holds a transaction):
   * only the head of each subject — its oldest undelivered row — is deliverable, so a later row of
   * a subject never goes out before an earlier one is delivered. The claim is a lease: attempts+1
   * and next_attempt_at pushed `leaseSeconds` ahead, so another instance (or this one after a
   * crash) takes the row again only once the lease has run out. SKIP LOCKED keeps concurrent
   * claimers off each other's rows; the UPDATE re-checks delivered_at on the newest row version.
   */
  claimHeads(limit: number, leaseSeconds: number): Promise<OutboxRow[]> {
    return sqlRows<OutboxRow>(
      this.dataSource,
      `WITH heads AS (
         SELECT DISTINCT ON (subject) id FROM notification_outbox WHERE delivered_at IS NULL ORDER BY subject, id
       ), due AS (
         SELECT o.id FROM notification_outbox o JOIN heads h ON h.id = o.id
          WHERE o.next_attempt_at <= now() ORDER BY o.id LIMIT $1 FOR UPDATE OF o SKIP LOCKED
       )
       UPDATE notification_outbox o SET attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
         FROM due WHERE o.id = due.id AND o.delivered_at IS NULL
       RETURNING o.id, o.topic, o.subject, o.body, o.text, o.created_at, o.attempts`,
      [limit, leaseSeconds],
    );
  }

  async markDelivered(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE notification_outbox SET delivered_at = now(), last_error = NULL WHERE id = $1`, [id]);
  }

  async markFailed(id: string, retryInMs: number, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification_outbox SET next_attempt_at = now() + make_interval(secs => $2), last_error = $3 WHERE id = $1 AND delivered_at IS NULL`,
      [id, retryInMs / 1000, error.slice(0, 1000)],
    );
  }

  async undelivered(): Promise<number> {
    const row = await sqlOne<{ n: number }>(this.dataSource, `SELECT count(*)::int AS n FROM notification_outbox WHERE delivered_at IS NULL`);
    return row?.n ?? 0;
  }
}
