import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The example offer engine's sent offers: each one names the Heimdall recommendation that let it out. */
export class Offers1763700000410 implements MigrationInterface {
  name = 'Offers1763700000410';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE offer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        buyer text NOT NULL,
        amount numeric(19, 4) NOT NULL CHECK (amount > 0),
        recommendation_id uuid NOT NULL,
        correlation_id text NOT NULL,
        sent_by text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX ux_offer_correlation ON offer (correlation_id);
      CREATE INDEX ix_offer_sent_at ON offer (sent_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE offer;`);
  }
}
