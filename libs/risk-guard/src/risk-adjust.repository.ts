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

const COLUMNS = `id::text AS id, at, day::text AS day, engine, trim_scale(realized_loss_delta)::text AS realized_loss_delta, reason,
  correlation_id, request_digest, principal, token_id`;

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
}
