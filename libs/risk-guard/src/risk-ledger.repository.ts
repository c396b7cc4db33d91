import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { ReadOnlyDatabase, SERVER_DEADLINE, sqlOne, sqlRows } from '#platform';
import type { EventQuery, EventRow, LedgerRow, LossRow, OpenReservationRow, ReserveTurnItem, TurnItem, TurnRow } from './risk-ledger.rows.js';
import { policyColumns, type PolicyRow } from './risk-policy.repository.js';

const LOSS_COLUMNS = `engine, trim_scale(exposure_used)::text AS exposure_used, trim_scale(open_risk_reserved)::text AS open_risk_reserved,
  trim_scale(realized_loss)::text AS realized_loss, actions_count::text AS actions_count`;


const EVENT_COLUMNS = `id::text AS id, at, day::text AS day, engine, kind, outcome, correlation_id, reservation_id, trim_scale(amount)::text AS amount,
  trim_scale(realized_loss)::text AS realized_loss, reason_codes, reason, principal, details`;
/**
 * The SQL of the ledger aggregate: the day rows (risk_ledger_day), the reservations (risk_reservation)
 * and the decision trail (risk_event). The decision path is one call of a batch function per batch:
 * the caps are enforced inside PostgreSQL (sql/risk_ledger_batch.sql.ts).
 */
@Injectable()
export class RiskLedgerRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    /** GET /risk/ledger/today's reads: read-only sessions, no held-back Sync. */
    private readonly reads: ReadOnlyDatabase,
  ) {}

  /** A transaction for a turn that writes more than the batch function (a void's audit row). */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * One turn of the ledger, one transaction, one round trip: reserves, settles and voids in arrival
   * order (risk_ledger_batch). The statement checks its own deadline (SERVER_DEADLINE), so the client
   * sends it with its Sync: one socket write, and a call answered 503 still never commits later.
   */
  async turnBatch(day: string, now: Date, killSwitch: boolean, items: TurnItem[], db: Pick<EntityManager, 'query'> = this.dataSource): Promise<TurnRow[]> {
    const reserve = (i: TurnItem): i is ReserveTurnItem => i.kind === 'reserve';
    const rows = await sqlRows<TurnRow>(
      db,
      `SELECT ord, outcome, reservation_id, reason_codes, details, day, reserved_at, expires_at, status, original_outcome,
              correlation_id, engine, trim_scale(amount)::text AS amount, trim_scale(realized_loss)::text AS realized_loss, closed_at, close_reason,
              trim_scale(max_loss)::text AS max_loss, trim_scale(e_exposure)::text AS e_exposure, trim_scale(e_open)::text AS e_open,
              trim_scale(e_loss)::text AS e_loss, e_actions, trim_scale(g_exposure)::text AS g_exposure, trim_scale(g_open)::text AS g_open,
              trim_scale(g_loss)::text AS g_loss, g_actions
         FROM risk_ledger_batch($1::date, $2::timestamptz, $3::boolean, $4::text[], $5::text[], $6::uuid[], $7::text[], $8::numeric[],
                                $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz)`,
      [
        day,
        now,
        killSwitch,
        items.map((i) => i.correlationId),
        items.map((i) => i.kind),
        items.map((i) => (reserve(i) ? null : i.reservationId)),
        items.map((i) => i.engine),
        items.map((i) => (reserve(i) ? i.amount : i.realizedLoss)),
        items.map((i) => (reserve(i) ? i.digest : null)),
        items.map((i) => i.reason),
        items.map((i) => i.principal),
        items.map((i) => (reserve(i) ? null : i.bound)),
        SERVER_DEADLINE,
      ],
    );
    return rows.sort((a, b) => a.ord - b.ord);
  }

  /** The day's rows of GLOBAL and one engine, with both policies (for dry runs). */
  async scopes(day: string, engine: string): Promise<Array<PolicyRow & { usage: LedgerRow | null }>> {
    const rows = await sqlRows<PolicyRow & Partial<LedgerRow> & { has_ledger: boolean }>(
      this.dataSource,
      `SELECT ${policyColumns('p')},
              l.day IS NOT NULL AS has_ledger, l.exposure_used::text AS exposure_used, l.open_risk_reserved::text AS open_risk_reserved,
              l.realized_loss::text AS realized_loss, l.actions_count::text AS actions_count, l.denials_count::text AS denials_count
         FROM risk_policy p LEFT JOIN risk_ledger_day l ON l.engine = p.engine AND l.day = $1::date
        WHERE p.engine IN ($2, 'GLOBAL')`,
      [day, engine],
    );
    return rows.map((r) => ({
      ...r,
      usage: r.has_ledger
        ? {
            engine: r.engine,
            exposure_used: r.exposure_used!,
            open_risk_reserved: r.open_risk_reserved!,
            realized_loss: r.realized_loss!,
            actions_count: r.actions_count!,
            denials_count: r.denials_count!,
          }
        : null,
    }));
  }

  ledgerDay(day: string): Promise<LedgerRow[]> {
    return sqlRows<LedgerRow>(
      this.reads,
      `SELECT engine, trim_scale(exposure_used)::text AS exposure_used, trim_scale(open_risk_reserved)::text AS open_risk_reserved,
              trim_scale(realized_loss)::text AS realized_loss, actions_count::text AS actions_count, denials_count::text AS denials_count
         FROM risk_ledger_day WHERE day = $1::date`,
      [day],
    );
  }

  /** Every reservation still holding open risk (reserved or expired), whatever its day, oldest first. */
  openReservations(limit: number): Promise<OpenReservationRow[]> {
    return sqlRows<OpenReservationRow>(
      this.reads,
      `SELECT id, correlation_id, engine, day::text AS day, trim_scale(amount)::text AS amount, status, reserved_at, expires_at
         FROM risk_reservation WHERE status IN ('reserved', 'expired') ORDER BY reserved_at, id LIMIT $1`,
      [limit],
    );
  }

  openReservationTotals(): Promise<Array<{ engine: string; status: 'reserved' | 'expired'; count: number; amount: string }>> {
    return sqlRows(
      this.reads,
      `SELECT engine, status, count(*)::int AS count, trim_scale(sum(amount))::text AS amount
         FROM risk_reservation WHERE status IN ('reserved', 'expired') GROUP BY engine, status`,
    );
  }

  /** The decision trail (GET /risk/events), newest first. */
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
    // With kind=reserve this reads ux_risk_event_reserve_correlation: the denial of one request.
    if (q.correlation_id) add('correlation_id = ?', q.correlation_id);
    if (q.before) add('id < ?::bigint', q.before);
    if (q.since) add('at >= ?::timestamptz', q.since);
    if (q.until) add('at < ?::timestamptz', q.until);
    params.push(q.limit);
    return sqlRows<EventRow>(
      this.dataSource,
      `SELECT ${EVENT_COLUMNS}
         FROM risk_event ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
  }

  /** One event by id (the decisions page's trace of a denial). */
  event(id: string): Promise<EventRow | undefined> {
    return sqlOne<EventRow>(
      this.dataSource,
      `SELECT ${EVENT_COLUMNS} FROM risk_event WHERE id = $1::bigint`,
      [id],
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

  /**
   * An adjustment's hold on the day: locks the day's engine row then its GLOBAL row (the ledger's lock order), creating them when
   * missing, and returns them as they are.
   */
  async lockDay(manager: EntityManager, day: string, engine: string): Promise<{ engine: LossRow; global: LossRow }> {
    await manager.query(
      `INSERT INTO risk_ledger_day (day, engine) VALUES ($1::date, $2), ($1::date, 'GLOBAL') ON CONFLICT ON CONSTRAINT pk_risk_ledger_day DO NOTHING`,
      [day, engine],
    );
    const rows = await sqlRows<LossRow>(
      manager,
      `SELECT ${LOSS_COLUMNS} FROM risk_ledger_day WHERE day = $1::date AND engine IN ($2, 'GLOBAL') ORDER BY engine = 'GLOBAL' FOR UPDATE`,
      [day, engine],
    );
    return { engine: rows.find((r) => r.engine === engine)!, global: rows.find((r) => r.engine === 'GLOBAL')! };
  }

  /** Adds the delta to the day's realized loss on the engine row and the GLOBAL row (both locked by lockDay). */
  async applyDelta(manager: EntityManager, day: string, engine: string, delta: string): Promise<{ engine: LossRow; global: LossRow }> {
    const rows = await sqlRows<LossRow>(
      manager,
      `UPDATE risk_ledger_day SET realized_loss = realized_loss + $3::numeric WHERE day = $1::date AND engine IN ($2, 'GLOBAL') RETURNING ${LOSS_COLUMNS}`,
      [day, engine, delta],
    );
    return { engine: rows.find((r) => r.engine === engine)!, global: rows.find((r) => r.engine === 'GLOBAL')! };
  }

  /** The day's engine and GLOBAL rows as read (for a replay's answer). */
  async readDay(day: string, engine: string): Promise<{ engine: LossRow | undefined; global: LossRow | undefined }> {
    const rows = await sqlRows<LossRow>(this.dataSource, `SELECT ${LOSS_COLUMNS} FROM risk_ledger_day WHERE day = $1::date AND engine IN ($2, 'GLOBAL')`, [
      day,
      engine,
    ]);
    return { engine: rows.find((r) => r.engine === engine), global: rows.find((r) => r.engine === 'GLOBAL') };
  }
}
