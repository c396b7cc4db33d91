import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlRows } from '#platform';

/** A risk_event row: every decision of the guard (reserve, settle, void, expire, day_close). */
export interface EventRow {
  id: string;
  at: Date;
  day: string;
  engine: string;
  kind: string;
  outcome: string;
  correlation_id: string | null;
  reservation_id: string | null;
  amount: string | null;
  realized_loss: string | null;
  reason_codes: string[];
  reason: string | null;
  principal: string;
  details: Record<string, unknown> | null;
}

export interface EventQuery {
  engine?: string;
  day?: string;
  outcome?: string;
  kind?: string;
  before?: string;
  since?: Date;
  until?: Date;
  /** Rows to fetch (the page size + 1). */
  limit: number;
}

/** The SQL of risk_event: the reads of the event list and the rows the jobs write. */
@Injectable()
export class RiskEventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Newest first. */
  events(q: EventQuery): Promise<EventRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.engine) add('engine = ?', q.engine);
    if (q.day) add('day = ?::date', q.day);
    if (q.outcome) add('outcome = ?', q.outcome);
    if (q.kind) add('kind = ?', q.kind);
    if (q.before) add('id < ?::bigint', q.before);
    if (q.since) add('at >= ?::timestamptz', q.since);
    if (q.until) add('at < ?::timestamptz', q.until);
    params.push(q.limit);
    return sqlRows<EventRow>(
      this.dataSource,
      `SELECT id::text AS id, at, day::text AS day, engine, kind, outcome, correlation_id, reservation_id, trim_scale(amount)::text AS amount,
              trim_scale(realized_loss)::text AS realized_loss, reason_codes, reason, principal, details
         FROM risk_event ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
  }

  /** Marks reservations past their TTL `expired` (still open risk) and records each; skips rows being settled right now. */
  async expireDue(manager: EntityManager, now: Date, limit = 10000): Promise<number> {
    const rows = await sqlRows<{ n: number }>(
      manager,
      `WITH due AS (
         SELECT id FROM risk_reservation WHERE status = 'reserved' AND expires_at <= $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
       ), expired AS (
         UPDATE risk_reservation r SET status = 'expired' FROM due WHERE r.id = due.id
         RETURNING r.id, r.correlation_id, r.engine, r.day, r.amount, r.expires_at
       ), recorded AS (
         INSERT INTO risk_event (at, day, engine, kind, outcome, correlation_id, reservation_id, amount, principal, details)
         SELECT $1, day, engine, 'expire', 'expired', correlation_id, id, amount, 'system', jsonb_build_object('expires_at', expires_at)
           FROM expired ORDER BY id
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM recorded`,
      [now, limit],
    );
    return rows[0]?.n ?? 0;
  }

  /** Writes the closed day's snapshot event once (unique per day). Returns false when it already exists. */
  async writeDayClose(manager: EntityManager, day: string, at: Date): Promise<boolean> {
    const rows = await sqlRows(
      manager,
      `INSERT INTO risk_event (at, day, engine, kind, outcome, principal, details)
       SELECT $2, $1::date, 'GLOBAL', 'day_close', 'closed', 'system', jsonb_build_object(
         'day', $1::text,
         'ledger', (SELECT coalesce(jsonb_agg(jsonb_build_object(
              'engine', engine, 'exposure_used', trim_scale(exposure_used)::text, 'open_risk_reserved', trim_scale(open_risk_reserved)::text,
              'realized_loss', trim_scale(realized_loss)::text, 'actions_count', actions_count, 'denials_count', denials_count)
              ORDER BY engine = 'GLOBAL' DESC, engine), '[]'::jsonb)
            FROM risk_ledger_day WHERE day = $1::date),
         'open_reservations', (SELECT jsonb_build_object('reserved', count(*) FILTER (WHERE status = 'reserved'),
                                                         'expired', count(*) FILTER (WHERE status = 'expired'),
                                                         'amount', coalesce(trim_scale(sum(amount)), 0)::text)
            FROM risk_reservation WHERE day = $1::date AND status IN ('reserved', 'expired')))
       ON CONFLICT (day) WHERE kind = 'day_close' DO NOTHING
       RETURNING id`,
      [day, at],
    );
    return rows.length > 0;
  }
}
