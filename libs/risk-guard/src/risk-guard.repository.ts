import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlRows } from '#platform';

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

/**
 * The decision path's SQL: one call of a batch function per batch. The caps are enforced inside
 * PostgreSQL (sql/risk_reserve_batch.sql.ts, sql/risk_close_batch.sql.ts).
 */
@Injectable()
export class RiskGuardRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
}
