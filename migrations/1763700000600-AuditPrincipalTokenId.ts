import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail records the token id beside the principal name: a name alone could be shared or
 * forged. Rows recorded before keep null (unknown); Warden's own acts record `system`. Adding a
 * column rewrites no row, so the append-only trigger is not involved.
 */
export class AuditPrincipalTokenId1763700000600 implements MigrationInterface {
  name = 'AuditPrincipalTokenId1763700000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_log ADD COLUMN principal_token_id text;
      CREATE INDEX ix_audit_log_principal_token ON audit_log (principal_token_id, id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_audit_log_principal_token; ALTER TABLE audit_log DROP COLUMN principal_token_id;`);
  }
}
