import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Only engine tokens carry a binding. A binding stored on a viewer, operator or admin token was
 * shown but never enforced; it is cleared (audited) so the token list no longer claims a limit
 * that does not hold, and a CHECK keeps it so.
 */
export class TokenBindingEngineOnly1763700000620 implements MigrationInterface {
  name = 'TokenBindingEngineOnly1763700000620';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      WITH plan AS (
        SELECT id, role, engines, domains FROM api_token WHERE role <> 'engine' AND (engines IS NOT NULL OR domains IS NOT NULL)
      ),
      cleared AS (
        UPDATE api_token t SET engines = NULL, domains = NULL FROM plan p WHERE t.id = p.id RETURNING t.id
      )
      INSERT INTO audit_log (principal, principal_token_id, action, subject, reason, details)
      SELECT 'system', 'system', 'token.binding_cleared', 'token:' || p.id,
             'migration TokenBindingEngineOnly: a ' || p.role || ' token is never bound; its binding was ignored',
             jsonb_build_object('engines', p.engines, 'domains', p.domains)
      FROM plan p JOIN cleared c ON c.id = p.id;

      ALTER TABLE api_token ADD CONSTRAINT ck_api_token_binding_engine_only
        CHECK (role = 'engine' OR (engines IS NULL AND domains IS NULL));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_token DROP CONSTRAINT ck_api_token_binding_engine_only;`);
  }
}
