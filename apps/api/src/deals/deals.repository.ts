import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';

/** A deal the example engine executed. */
export interface DealRow {
  id: string;
  engine: string;
  counterparty: string;
  amount: string;
  correlation_id: string;
  created_by: string;
  created_at: Date;
}

const COLUMNS = `id, engine, counterparty, trim_scale(amount)::text AS amount, correlation_id, created_by, created_at`;

/** The SQL of the deal table. */
@Injectable()
export class DealsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  recent(limit = 100): Promise<DealRow[]> {
    return sqlRows<DealRow>(this.dataSource, `SELECT ${COLUMNS} FROM deal ORDER BY created_at DESC LIMIT $1`, [limit]);
  }

  /** Records the deal once per correlation_id; a retry gets the deal recorded first. */
  async insertOnce(deal: Pick<DealRow, 'engine' | 'counterparty' | 'amount' | 'correlation_id' | 'created_by'>): Promise<DealRow> {
    const inserted = await sqlOne<DealRow>(
      this.dataSource,
      `INSERT INTO deal (engine, counterparty, amount, correlation_id, created_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (correlation_id) DO NOTHING RETURNING ${COLUMNS}`,
      [deal.engine, deal.counterparty, deal.amount, deal.correlation_id, deal.created_by],
    );
    return inserted ?? (await sqlOne<DealRow>(this.dataSource, `SELECT ${COLUMNS} FROM deal WHERE correlation_id = $1`, [deal.correlation_id]))!;
  }
}
