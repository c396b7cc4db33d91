import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';
import type { EnforcementMode } from './entities/risk-policy.entity.js';

/** One reserve request as the batch function takes it (amount canonical, digest computed). */
export interface ReserveItem {
  correlationId: string;
  engine: string;
  amount: string;
  digest: string;
  reason: string | null;
  principal: string;
}

export type ReserveRowOutcome = 'allowed' | 'allowed_observed' | 'denied' | 'unrecorded' | 'replay' | 'conflict';

export interface ReserveRow {
  ord: number;
  outcome: ReserveRowOutcome;
  reservation_id: string | null;
  reason_codes: string[];
  details: Record<string, any> | null;
  day: string | null;
  reserved_at: Date | null;
  expires_at: Date | null;
  status: string | null;
  /** For replay/conflict: the outcome recorded under the key. */
  original_outcome: 'allowed' | 'allowed_observed' | 'denied' | null;
}

export interface CloseItem {
  kind: 'settle' | 'void';
  reservationId: string | null;
  correlationId: string | null;
  /** With correlationId: the engine whose key it is (null: resolved within the caller's binding). */
  engine: string | null;
  realizedLoss: string;
  reason: string | null;
  principal: string;
  /** Comma-joined engines the caller is bound to; null = unbound. */
  bound: string | null;
}

export type CloseRowOutcome =
  | 'settled'
  | 'voided'
  | 'replay'
  | 'conflict'
  | 'not_open'
  | 'not_found'
  | 'not_bound'
  | 'ambiguous'
  | 'loss_exceeds'
  | 'retry';

export interface CloseRow {
  ord: number;
  outcome: CloseRowOutcome;
  reservation_id: string | null;
  correlation_id: string | null;
  engine: string | null;
  day: string | null;
  amount: string | null;
  status: string | null;
  realized_loss: string | null;
  reserved_at: Date | null;
  expires_at: Date | null;
  closed_at: Date | null;
  close_reason: string | null;
  /** The most a settle may book on this reservation: amount x max_loss_multiple. */
  max_loss: string | null;
  e_exposure: string | null;
  e_open: string | null;
  e_loss: string | null;
  e_actions: string | null;
  g_exposure: string | null;
  g_open: string | null;
  g_loss: string | null;
  g_actions: string | null;
}

export interface PolicyRow {
  engine: string;
  enabled: boolean;
  max_daily_exposure: string | null;
  max_open_risk: string | null;
  max_daily_loss: string | null;
  max_actions_per_day: number | null;
  reservation_ttl_seconds: number;
  enforcement_mode: EnforcementMode;
  max_loss_multiple: string;
  disabled_reason: string | null;
  updated_by: string;
  updated_at: Date;
}

export interface LedgerRow {
  engine: string;
  exposure_used: string;
  open_risk_reserved: string;
  realized_loss: string;
  actions_count: string;
  denials_count: string;
}

export interface OpenReservationRow {
  id: string;
  correlation_id: string;
  engine: string;
  day: string;
  amount: string;
  status: 'reserved' | 'expired';
  reserved_at: Date;
  expires_at: Date;
}

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
  limit: number;
}

function policyColumns(a = ''): string {
  const c = a ? `${a}.` : '';
  return `${c}engine, ${c}enabled, trim_scale(${c}max_daily_exposure)::text AS max_daily_exposure, trim_scale(${c}max_open_risk)::text AS max_open_risk,
  trim_scale(${c}max_daily_loss)::text AS max_daily_loss, ${c}max_actions_per_day, ${c}reservation_ttl_seconds, ${c}enforcement_mode,
  trim_scale(${c}max_loss_multiple)::text AS max_loss_multiple, ${c}disabled_reason, ${c}updated_by, ${c}updated_at`;
}
const POLICY_COLUMNS = policyColumns();

/** Every SQL statement of the risk guard. Caps are enforced inside PostgreSQL (the batch functions). */
@Injectable()
export class RiskGuardRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get db(): DataSource {
    return this.dataSource;
  }

  /** One transaction, one round trip: admits the batch in order (risk_reserve_batch). */
  async reserveBatch(day: string, now: Date, killSwitch: boolean, items: ReserveItem[]): Promise<ReserveRow[]> {
    const rows = await sqlRows<ReserveRow>(
      this.dataSource,
      `SELECT ord, outcome, reservation_id, reason_codes, details, day, reserved_at, expires_at, status, original_outcome
         FROM risk_reserve_batch($1::date, $2::timestamptz, $3::boolean, $4::text[], $5::text[], $6::numeric[], $7::text[], $8::text[], $9::text[])`,
      [
        day,
        now,
        killSwitch,
        items.map((i) => i.correlationId),
        items.map((i) => i.engine),
        items.map((i) => i.amount),
        items.map((i) => i.digest),
        items.map((i) => i.reason),
        items.map((i) => i.principal),
      ],
    );
    return rows.sort((a, b) => a.ord - b.ord);
  }

  /** One transaction, one round trip: settles/voids the batch (risk_close_batch). */
  async closeBatch(now: Date, items: CloseItem[]): Promise<CloseRow[]> {
    const rows = await sqlRows<CloseRow>(
      this.dataSource,
      `SELECT ord, outcome, reservation_id, correlation_id, engine, day, trim_scale(amount)::text AS amount, status,
              trim_scale(realized_loss)::text AS realized_loss, reserved_at, expires_at, closed_at, close_reason,
              trim_scale(max_loss)::text AS max_loss, trim_scale(e_exposure)::text AS e_exposure, trim_scale(e_open)::text AS e_open, trim_scale(e_loss)::text AS e_loss, e_actions,
              trim_scale(g_exposure)::text AS g_exposure, trim_scale(g_open)::text AS g_open, trim_scale(g_loss)::text AS g_loss, g_actions
         FROM risk_close_batch($1::timestamptz, $2::text[], $3::uuid[], $4::text[], $5::text[], $6::numeric[], $7::text[], $8::text[], $9::text[])`,
      [
        now,
        items.map((i) => i.kind),
        items.map((i) => i.reservationId),
        items.map((i) => i.correlationId),
        items.map((i) => i.engine),
        items.map((i) => i.realizedLoss),
        items.map((i) => i.reason),
        items.map((i) => i.principal),
        items.map((i) => i.bound),
      ],
    );
    return rows.sort((a, b) => a.ord - b.ord);
  }

  policies(manager: Pick<EntityManager, 'query'> = this.dataSource): Promise<PolicyRow[]> {
    return sqlRows<PolicyRow>(manager, `SELECT ${POLICY_COLUMNS} FROM risk_policy ORDER BY engine = 'GLOBAL' DESC, engine`);
  }

  policy(engine: string, manager: Pick<EntityManager, 'query'> = this.dataSource, forUpdate = false): Promise<PolicyRow | undefined> {
    return sqlOne<PolicyRow>(manager, `SELECT ${POLICY_COLUMNS} FROM risk_policy WHERE engine = $1${forUpdate ? ' FOR UPDATE' : ''}`, [engine]);
  }

  async writePolicy(manager: EntityManager, p: Omit<PolicyRow, 'updated_at'>, now: Date): Promise<PolicyRow> {
    await manager.query(
      `INSERT INTO risk_policy (engine, enabled, max_daily_exposure, max_open_risk, max_daily_loss, max_actions_per_day,
                                reservation_ttl_seconds, enforcement_mode, disabled_reason, updated_by, updated_at, max_loss_multiple)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (engine) DO UPDATE SET enabled = EXCLUDED.enabled, max_daily_exposure = EXCLUDED.max_daily_exposure,
         max_open_risk = EXCLUDED.max_open_risk, max_daily_loss = EXCLUDED.max_daily_loss, max_actions_per_day = EXCLUDED.max_actions_per_day,
         reservation_ttl_seconds = EXCLUDED.reservation_ttl_seconds, enforcement_mode = EXCLUDED.enforcement_mode,
         disabled_reason = EXCLUDED.disabled_reason, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at,
         max_loss_multiple = EXCLUDED.max_loss_multiple`,
      [
        p.engine,
        p.enabled,
        p.max_daily_exposure,
        p.max_open_risk,
        p.max_daily_loss,
        p.max_actions_per_day,
        p.reservation_ttl_seconds,
        p.enforcement_mode,
        p.disabled_reason,
        p.updated_by,
        now,
        p.max_loss_multiple,
      ],
    );
    return (await this.policy(p.engine, manager))!;
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
      this.dataSource,
      `SELECT engine, trim_scale(exposure_used)::text AS exposure_used, trim_scale(open_risk_reserved)::text AS open_risk_reserved,
              trim_scale(realized_loss)::text AS realized_loss, actions_count::text AS actions_count, denials_count::text AS denials_count
         FROM risk_ledger_day WHERE day = $1::date`,
      [day],
    );
  }

  /** Every reservation still holding open risk (reserved or expired), whatever its day, oldest first. */
  openReservations(limit: number): Promise<OpenReservationRow[]> {
    return sqlRows<OpenReservationRow>(
      this.dataSource,
      `SELECT id, correlation_id, engine, day::text AS day, trim_scale(amount)::text AS amount, status, reserved_at, expires_at
         FROM risk_reservation WHERE status IN ('reserved', 'expired') ORDER BY reserved_at, id LIMIT $1`,
      [limit],
    );
  }

  openReservationTotals(): Promise<Array<{ engine: string; status: 'reserved' | 'expired'; count: number; amount: string }>> {
    return sqlRows(
      this.dataSource,
      `SELECT engine, status, count(*)::int AS count, trim_scale(sum(amount))::text AS amount
         FROM risk_reservation WHERE status IN ('reserved', 'expired') GROUP BY engine, status`,
    );
  }

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
