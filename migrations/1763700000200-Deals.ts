import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The example engine's deals. */
export class Deals1763700000200 implements MigrationInterface {
  name = 'Deals1763700000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE deal (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        engine text NOT NULL,
        counterparty text NOT NULL,
        amount numeric(19, 4) NOT NULL CHECK (amount > 0),
        correlation_id text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX ux_deal_correlation ON deal (correlation_id);
      CREATE INDEX ix_deal_created_at ON deal (created_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deal;`);
  }
}
