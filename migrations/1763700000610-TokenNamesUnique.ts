import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Token names are unique, case-insensitively and revoked tokens included, and never one Warden
 * records for its own acts. Existing tokens that break either rule are renamed deterministically
 * to `<name>#<token id>` before the index is built: a token under a reserved name (but the
 * bootstrap admin token Warden itself named `bootstrap`), and every token but the oldest of a
 * group sharing a name. Each rename is audited. The tokens keep working; only their name changes.
 * The reserved list is this migration's snapshot (RESERVED_TOKEN_NAMES in principal.ts rules new names).
 */
export class TokenNamesUnique1763700000610 implements MigrationInterface {
  name = 'TokenNamesUnique1763700000610';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      WITH marked AS (
        SELECT id, name, created_at, lower(btrim(name)) AS key,
               (lower(btrim(name)) IN ('system', 'bootstrap', 'regression_tripwire', 'tripwire', 'warden', 'scheduler', 'job', 'jobs',
                                       'cli', 'admin', 'root', 'operator', 'anonymous', 'unknown')
                OR lower(btrim(name)) LIKE ANY (ARRAY['cli:%', 'system:%', 'system-%', 'bootstrap-%', 'bootstrap#%', 'warden:%',
                                                      'regression\\_tripwire:%']))
               AND NOT (lower(btrim(name)) = 'bootstrap' AND created_by = 'system' AND role = 'admin') AS reserved
        FROM api_token
      ),
      ranked AS (
        -- Within a name, the oldest token that may keep it keeps it.
        SELECT *, row_number() OVER (PARTITION BY key ORDER BY reserved, created_at, id) AS rank FROM marked
      ),
      plan AS (
        SELECT id, name AS old_name, name || '#' || id::text AS new_name,
               CASE WHEN reserved THEN 'reserved name' ELSE 'duplicate name' END AS why
        FROM ranked
        WHERE reserved OR rank > 1
      ),
      renamed AS (
        UPDATE api_token t SET name = p.new_name FROM plan p WHERE t.id = p.id RETURNING t.id
      )
      INSERT INTO audit_log (principal, principal_token_id, action, subject, reason, details)
      SELECT 'system', 'system', 'token.rename', 'token:' || p.id, 'migration TokenNamesUnique: ' || p.why,
             jsonb_build_object('from', p.old_name, 'to', p.new_name)
      FROM plan p JOIN renamed r ON r.id = p.id;

      CREATE UNIQUE INDEX ux_api_token_name ON api_token (lower(name));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ux_api_token_name;`);
  }
}
