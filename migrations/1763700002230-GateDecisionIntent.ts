import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The normalised intent of each gate decision, without its `args` (the server's evaluation never
 * reads them, and they may carry what a log must not keep), so a candidate policy can be replayed
 * against recent traffic (POST /gate/policies/{name}/simulate). Null for decisions stored before
 * this column, and for intents that could not be normalised. The hash chain hashes
 * jsonb_strip_nulls(row): rows already chained keep their hashes.
 */
export class GateDecisionIntent1763700002230 implements MigrationInterface {
  name = 'GateDecisionIntent1763700002230';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gate_decision ADD COLUMN intent jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gate_decision DROP COLUMN intent`);
  }
}
