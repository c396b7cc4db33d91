import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';

export interface AdjustmentRow {
  id: string;
  at: Date;
  day: string;
  engine: string;
  realized_loss_delta: string;
  reason: string;
  correlation_id: string;
  request_digest: string;
  principal: string;
  token_id: string;
}

export interface LossRow {
  engine: string;
  exposure_used: string;
  open_risk_reserved: string;
  realized_loss: string;
  actions_count: string;
}

const COLUMNS = `id::text AS id, at, day::text AS day, engine, trim_scale(realized_loss_delta)::text AS realized_loss_delta, reason,
  correlation_id, request_digest, principal, token_id`;
const LEDGER_COLUMNS = `engine, trim_scale(exposure_used)::text AS exposure_used, trim_scale(open_risk_reserved)::text AS open_risk_reserved,
  trim_scale(realized_loss)::text AS realized_loss, actions_count::text AS actions_count`;

/** The SQL of risk_adjustment: append-only compensating entries on a day's realized loss. */
@Injectable()
export class RiskAdjustRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get db(): DataSource {
    return this.dataSource;
  }

  /** The day's adjustments, oldest first. */
  forDay(day: string, manager: Pick<EntityManager, 'query'> = this.dataSource): Promise<AdjustmentRow[]> {
    return sqlRows<AdjustmentRow>(manager, `SELECT ${COLUMNS} FROM risk_adjustment WHERE day = $1::date ORDER BY id`, [day]);
  }

  /** Records the entry unless the engine already used the key (then undefined: a same-key racer waits for the first). */
  insert(manager: EntityManager, row: Omit<AdjustmentRow, 'id'>): Promise<AdjustmentRow | undefined> {
    return sqlOne<AdjustmentRow>(
      manager,
      `INSERT INTO risk_adjustment (at, day, engine, realized_loss_delta, reason, correlation_id, request_digest, principal, token_id)
       VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (correlation_id, engine) DO NOTHING RETURNING ${COLUMNS}`,
      [row.at, row.day, row.engine, row.realized_loss_delta, row.reason, row.correlation_id, row.request_digest, row.principal, row.token_id],
    );
  }

  byKey(manager: Pick<EntityManager, 'query'>, engine: string, correlationId: string): Promise<AdjustmentRow | undefined> {
    return sqlOne<AdjustmentRow>(manager, `SELECT ${COLUMNS} FROM risk_adjustment WHERE correlation_id = $1 AND engine = $2`, [correlationId, engine]);
  }

  /**
   * Locks the day's engine row then its GLOBAL row (the ledger's lock order), creating them when
   * missing, and returns them as they are.
   */
  async lockDay(manager: EntityManager, day: string, engine: string): Promise<{ engine: LossRow; global: LossRow }> {
    await manager.query(
      `INSERT INTO risk_ledger_day (day, engine) VALUES ($1::date, $2), ($1::date, 'GLOBAL') ON CONFLICT ON CONSTRAINT pk_risk_ledger_day DO NOTHING`,
      [day, engine],
    );
    const rows = await sqlRows<LossRow>(
      manager,
      `SELECT ${LEDGER_COLUMNS} FROM risk_ledger_day WHERE day = $1::date AND engine IN ($2, 'GLOBAL') ORDER BY engine = 'GLOBAL' FOR UPDATE`,
      [day, engine],
    );
    return { engine: rows.find((r) => r.engine === engine)!, global: rows.find((r) => r.engine === 'GLOBAL')! };
  }

  /** Adds the delta to the day's realized loss on the engine row and the GLOBAL row (both locked by lockDay). */
  async applyDelta(manager: EntityManager, day: string, engine: string, delta: string): Promise<{ engine: LossRow; global: LossRow }> {
    const rows = await sqlRows<LossRow>(
      manager,
      `UPDATE risk_ledger_day SET realized_loss = realized_loss + $3::numeric WHERE day = $1::date AND engine IN ($2, 'GLOBAL') RETURNING ${LEDGER_COLUMNS}`,
      [day, engine, delta],
    );
    return { engine: rows.find((r) => r.engine === engine)!, global: rows.find((r) => r.engine === 'GLOBAL')! };
  }

  /** The day's engine and GLOBAL rows as read (for a replay's answer). */
  async readDay(day: string, engine: string): Promise<{ engine: LossRow | undefined; global: LossRow | undefined }> {
    const rows = await sqlRows<LossRow>(this.dataSource, `SELECT ${LEDGER_COLUMNS} FROM risk_ledger_day WHERE day = $1::date AND engine IN ($2, 'GLOBAL')`, [
      day,
      engine,
    ]);
    return { engine: rows.find((r) => r.engine === engine), global: rows.find((r) => r.engine === 'GLOBAL') };
  }
}
