import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where the repeatable step records what it applied: one row per repeatable SQL file (a function's
 * single source, e.g. libs/risk-guard/src/sql/*.sql.ts) with the sha256 of the text applied. After the
 * versioned migrations, a file whose checksum differs is applied again (applyRepeatableSql).
 */
export class SchemaRepeatable1763700000700 implements MigrationInterface {
  name = 'SchemaRepeatable1763700000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE schema_repeatable (
        name text PRIMARY KEY,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE schema_repeatable;`);
  }
}
