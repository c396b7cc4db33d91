import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';

/** An offer the example AI engine sent. */
export interface OfferRow {
  id: string;
  buyer: string;
  amount: string;
  recommendation_id: string;
  correlation_id: string;
  sent_by: string;
  sent_at: Date;
}

const COLUMNS = `id, buyer, trim_scale(amount)::text AS amount, recommendation_id, correlation_id, sent_by, sent_at`;

/** The SQL of the offer table. */
@Injectable()
export class OffersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  recent(limit = 100): Promise<OfferRow[]> {
    return sqlRows<OfferRow>(this.dataSource, `SELECT ${COLUMNS} FROM offer ORDER BY sent_at DESC LIMIT $1`, [limit]);
  }

  byKey(correlationId: string): Promise<OfferRow | undefined> {
    return sqlOne<OfferRow>(this.dataSource, `SELECT ${COLUMNS} FROM offer WHERE correlation_id = $1`, [correlationId]);
  }

  /** Records the offer unless the key was used (undefined: another request sent it first). */
  insertOnce(offer: Omit<OfferRow, 'id' | 'sent_at'>): Promise<OfferRow | undefined> {
    return sqlOne<OfferRow>(
      this.dataSource,
      `INSERT INTO offer (buyer, amount, recommendation_id, correlation_id, sent_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (correlation_id) DO NOTHING RETURNING ${COLUMNS}`,
      [offer.buyer, offer.amount, offer.recommendation_id, offer.correlation_id, offer.sent_by],
    );
  }
}
