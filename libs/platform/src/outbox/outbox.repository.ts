import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlOne, sqlRows } from '../database/sql.js';

/** A claimed delivery: one notification to one destination. */
export interface DeliveryRow {
  id: string;
  outbox_id: string;
  destination: string;
  topic: string;
  subject: string;
  body: Record<string, unknown>;
  text: string;
  created_at: Date;
  attempts: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';
/** What the list filters on: a status, or `failing` (pending with at least one failed attempt). */
export type DeliveryFilterStatus = DeliveryStatus | 'failing';

/** One destination's open work: what waits, what keeps failing, what was given up. */
export interface DestinationSummaryRow {
  destination: string;
  pending: number;
  failing: number;
  dead: number;
  oldest_pending_at: Date | null;
  last_error: string | null;
}

/** A delivery as the operator API shows it. */
export interface DeliveryListRow {
  id: string;
  outbox_id: string;
  destination: string;
  topic: string;
  subject: string;
  created_at: Date;
  attempts: number;
  first_attempt_at: Date | null;
  next_attempt_at: Date;
  delivered_at: Date | null;
  dead_at: Date | null;
  last_error: string | null;
}

export interface DeadLetterRule {
  maxAttempts: number;
  maxAgeSeconds: number;
}

const LIST_COLUMNS = `d.id, d.outbox_id, d.destination, o.topic, o.subject, o.created_at, d.attempts, d.first_attempt_at, d.next_attempt_at, d.delivered_at, d.dead_at, d.last_error`;
const STATUS_WHERE: Record<DeliveryFilterStatus, string> = {
  pending: 'd.delivered_at IS NULL AND d.dead_at IS NULL',
  failing: 'd.delivered_at IS NULL AND d.dead_at IS NULL AND d.last_error IS NOT NULL',
  delivered: 'd.delivered_at IS NOT NULL',
  dead: 'd.dead_at IS NOT NULL',
};

/**
 * All of the outbox's SQL. A notification is one notification_outbox row and one
 * notification_delivery row per destination; every delivery is claimed, marked and dead-lettered on
 * its own, and the outbox row keeps a summary (attempts, last_error, delivered_at once every
 * destination has it).
 */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The notification and its deliveries, in the caller's transaction, in one statement. */
  async insert(
    manager: Pick<EntityManager, 'query'>,
    row: { topic: string; subject: string; body: Record<string, unknown>; text: string },
    destinations: string[],
  ): Promise<string> {
    const inserted = await sqlOne<{ id: string }>(
      manager,
      `WITH o AS (
         INSERT INTO notification_outbox (topic, subject, body, text) VALUES ($1, $2, $3, $4) RETURNING id, subject
       ), d AS (
         INSERT INTO notification_delivery (outbox_id, destination, subject) SELECT o.id, dst, o.subject FROM o, unnest($5::text[]) AS dst
       )
       SELECT id FROM o`,
      [row.topic, row.subject, row.body, row.text, destinations],
    );
    return inserted!.id;
  }

  /**
   * Gives undelivered notifications without deliveries (written before deliveries were per
   * destination) one per configured destination. Idempotent; run when a dispatcher starts.
   */
  async backfill(destinations: string[]): Promise<number> {
    const rows = await sqlRows<{ id: string }>(
      this.dataSource,
      `INSERT INTO notification_delivery (outbox_id, destination, subject)
       SELECT o.id, dst, o.subject FROM notification_outbox o, unnest($1::text[]) AS dst
        WHERE o.delivered_at IS NULL AND NOT EXISTS (SELECT 1 FROM notification_delivery x WHERE x.outbox_id = o.id)
       ON CONFLICT (outbox_id, destination) DO NOTHING
       RETURNING id`,
      [destinations],
    );
    return rows.length;
  }

  /** Open deliveries to a URL no longer configured can never go out: dead-lettered, replayable once it is back. */
  async deadLetterUnconfigured(destinations: string[]): Promise<number> {
    const rows = await sqlRows<{ id: string }>(
      this.dataSource,
      `UPDATE notification_delivery SET dead_at = now(), last_error = 'destination no longer configured in WARDEN_WEBHOOK_URLS'
        WHERE delivered_at IS NULL AND dead_at IS NULL AND destination <> ALL($1::text[])
       RETURNING id`,
      [destinations],
    );
    return rows.length;
  }

  /**
   * Claims up to `limit` deliverable rows and commits at once (no network call holds a transaction):
   * only the head of each (destination, subject) — its oldest open delivery — is deliverable, so a
   * later notification of a subject never reaches a destination before an earlier one did, while
   * another destination goes on regardless. Dead letters leave the order (they wait for a replay).
   * The claim is a lease: attempts+1 and next_attempt_at pushed `leaseSeconds` ahead, so another
   * instance (or this one after a crash) takes the row again only once the lease has run out. SKIP
   * LOCKED keeps concurrent claimers off each other's rows; the UPDATE re-checks on the newest row
   * version. The outbox row's attempts summary follows in the same statement.
   */
  claimHeads(limit: number, leaseSeconds: number, destinations: string[]): Promise<DeliveryRow[]> {
    return sqlRows<DeliveryRow>(
      this.dataSource,
      `WITH heads AS (
         SELECT DISTINCT ON (destination, subject) id FROM notification_delivery
          WHERE delivered_at IS NULL AND dead_at IS NULL AND destination = ANY($3::text[])
          ORDER BY destination, subject, outbox_id
       ), due AS (
         SELECT d.id FROM notification_delivery d JOIN heads h ON h.id = d.id
          WHERE d.next_attempt_at <= now() ORDER BY d.outbox_id LIMIT $1 FOR UPDATE OF d SKIP LOCKED
       ), claimed AS (
         UPDATE notification_delivery d
            SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2), first_attempt_at = COALESCE(d.first_attempt_at, now())
           FROM due WHERE d.id = due.id AND d.delivered_at IS NULL AND d.dead_at IS NULL
         RETURNING d.id, d.outbox_id, d.destination, d.attempts
       ), summary AS (
         UPDATE notification_outbox o SET attempts = GREATEST(o.attempts, c.attempts)
           FROM (SELECT outbox_id, max(attempts) AS attempts FROM claimed GROUP BY outbox_id) c WHERE o.id = c.outbox_id
       )
       SELECT c.id, c.outbox_id, c.destination, o.topic, o.subject, o.body, o.text, o.created_at, c.attempts
         FROM claimed c JOIN notification_outbox o ON o.id = c.outbox_id ORDER BY c.outbox_id`,
      [limit, leaseSeconds, destinations],
    );
  }

  /**
   * Marks one delivery done and, when it was the notification's last open one, the notification.
   * The outbox row is locked between the two statements, so two destinations finishing at once
   * cannot each see the other still open (the second statement reads after the lock is granted).
   */
  async markDelivered(id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const done = await sqlOne<{ outbox_id: string }>(
        m,
        `UPDATE notification_delivery SET delivered_at = now(), last_error = NULL WHERE id = $1 AND delivered_at IS NULL RETURNING outbox_id`,
        [id],
      );
      if (!done) return;
      await m.query(`SELECT 1 FROM notification_outbox WHERE id = $1 FOR UPDATE`, [done.outbox_id]);
      await m.query(
        `UPDATE notification_outbox o SET delivered_at = now(), last_error = NULL
          WHERE o.id = $1 AND o.delivered_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM notification_delivery d WHERE d.outbox_id = o.id AND d.delivered_at IS NULL)`,
        [done.outbox_id],
      );
    });
  }

  /**
   * Schedules the retry, or dead-letters the delivery once it has had `maxAttempts` attempts or its
   * first attempt is `maxAgeSeconds` old (database time, like every other outbox instant).
   * Returns whether it is now dead.
   */
  async markFailed(id: string, retryInMs: number, error: string, rule: DeadLetterRule): Promise<boolean> {
    const row = await sqlOne<{ dead: boolean }>(
      this.dataSource,
      `WITH d AS (
         UPDATE notification_delivery
            SET next_attempt_at = now() + make_interval(secs => $2), last_error = $3,
                dead_at = CASE WHEN attempts >= $4 OR first_attempt_at <= now() - make_interval(secs => $5) THEN now() END
          WHERE id = $1 AND delivered_at IS NULL AND dead_at IS NULL
         RETURNING outbox_id, dead_at IS NOT NULL AS dead
       ), o AS (
         UPDATE notification_outbox o SET last_error = $3 FROM d WHERE o.id = d.outbox_id
       )
       SELECT dead FROM d`,
      [id, retryInMs / 1000, error.slice(0, 1000), rule.maxAttempts, rule.maxAgeSeconds],
    );
    return row?.dead ?? false;
  }

  /** Newest first; `before` is the previous page's last id, [since, until) bounds created_at. Fetches limit + 1 (toPage). */
  list(filter: { status?: DeliveryFilterStatus; destination?: string; before?: string; since?: Date; until?: Date; limit: number }): Promise<DeliveryListRow[]> {
    const params: unknown[] = [filter.limit + 1];
    const where = [filter.status ? STATUS_WHERE[filter.status] : 'true'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.destination) add('d.destination = ?', filter.destination);
    if (filter.before) add('d.id < ?', filter.before);
    if (filter.since) add('o.created_at >= ?', filter.since);
    if (filter.until) add('o.created_at < ?', filter.until);
    return sqlRows<DeliveryListRow>(
      this.dataSource,
      `SELECT ${LIST_COLUMNS} FROM notification_delivery d JOIN notification_outbox o ON o.id = d.outbox_id
        WHERE ${where.join(' AND ')} ORDER BY d.id DESC LIMIT $1`,
      params,
    );
  }

  /**
   * Per destination, the deliveries not yet delivered: pending (of which failing: a failed attempt
   * already) and dead. Reads only undelivered rows (the open and dead partial indexes' rows), never
   * the delivered history.
   */
  destinations(): Promise<DestinationSummaryRow[]> {
    return sqlRows<DestinationSummaryRow>(
      this.dataSource,
      `SELECT d.destination,
              count(*) FILTER (WHERE d.dead_at IS NULL)::int AS pending,
              count(*) FILTER (WHERE d.dead_at IS NULL AND d.last_error IS NOT NULL)::int AS failing,
              count(*) FILTER (WHERE d.dead_at IS NOT NULL)::int AS dead,
              min(o.created_at) FILTER (WHERE d.dead_at IS NULL) AS oldest_pending_at,
              (array_agg(d.last_error ORDER BY d.id DESC) FILTER (WHERE d.last_error IS NOT NULL))[1] AS last_error
         FROM notification_delivery d JOIN notification_outbox o ON o.id = d.outbox_id
        WHERE d.delivered_at IS NULL
        GROUP BY d.destination ORDER BY d.destination`,
    );
  }

  find(id: string, db: Pick<EntityManager, 'query'> = this.dataSource): Promise<DeliveryListRow | undefined> {
    return sqlOne<DeliveryListRow>(db, `SELECT ${LIST_COLUMNS} FROM notification_delivery d JOIN notification_outbox o ON o.id = d.outbox_id WHERE d.id = $1`, [id]);
  }

  /** A dead letter back in the queue, with a fresh attempt count and age; undefined when it is not dead. */
  async replay(manager: Pick<EntityManager, 'query'>, id: string): Promise<DeliveryListRow | undefined> {
    const row = await sqlOne<{ id: string }>(
      manager,
      `UPDATE notification_delivery SET dead_at = NULL, attempts = 0, first_attempt_at = NULL, next_attempt_at = now()
        WHERE id = $1 AND dead_at IS NOT NULL AND delivered_at IS NULL RETURNING id`,
      [id],
    );
    return row ? this.find(row.id, manager) : undefined;
  }

  async undelivered(): Promise<number> {
    const row = await sqlOne<{ n: number }>(this.dataSource, `SELECT count(*)::int AS n FROM notification_outbox WHERE delivered_at IS NULL`);
    return row?.n ?? 0;
  }

  async dead(): Promise<number> {
    const row = await sqlOne<{ n: number }>(this.dataSource, `SELECT count(*)::int AS n FROM notification_delivery WHERE dead_at IS NOT NULL`);
    return row?.n ?? 0;
  }
}
