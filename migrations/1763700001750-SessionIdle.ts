import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Console sessions die when unused for WARDEN_SESSION_IDLE_MINUTES: `last_used_at` is when the
 * session last authenticated a request (touched at most every 30 s). Existing sessions count as
 * used when they were created. The per-person cap reads the live sessions of a token through
 * ix_console_session_token.
 */
export class SessionIdle1763700001750 implements MigrationInterface {
  name = 'SessionIdle1763700001750';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE console_session ADD COLUMN last_used_at timestamptz;
      UPDATE console_session SET last_used_at = created_at;
      ALTER TABLE console_session ALTER COLUMN last_used_at SET NOT NULL;
      COMMENT ON COLUMN console_session.last_used_at IS 'when the session last authenticated a request (at most 30 s stale); idle past WARDEN_SESSION_IDLE_MINUTES it is dead';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE console_session DROP COLUMN last_used_at`);
  }
}
