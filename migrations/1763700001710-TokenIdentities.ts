import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gate identities an engine token may claim besides its own name (docs/auth.md, "Identities").
 * Existing engine tokens get none: from now on they claim only their own name, which is the point
 * (any engine could claim any identity). Like engines/domains, only engine tokens carry them.
 */
export class TokenIdentities1763700001710 implements MigrationInterface {
  name = 'TokenIdentities1763700001710';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE api_token ADD COLUMN identities text[];
      ALTER TABLE api_token ADD CONSTRAINT ck_api_token_identities_engine_only CHECK (role = 'engine' OR identities IS NULL);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_token DROP CONSTRAINT ck_api_token_identities_engine_only; ALTER TABLE api_token DROP COLUMN identities;`);
  }
}
