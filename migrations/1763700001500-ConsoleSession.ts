import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operator console sessions: a token exchanged at sign-in for an opaque cookie. Only hashes are
 * stored (a copy of the table signs nobody in); the session lives 8 hours at most, dies with
 * sign-out (revoked_at) and with its token (the guard joins api_token on every request).
 */
export class ConsoleSession1763700001500 implements MigrationInterface {
  name = 'ConsoleSession1763700001500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE console_session (
        id text NOT NULL,
        token_id uuid NOT NULL,
        principal_name text NOT NULL,
        role text NOT NULL,
        csrf_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        CONSTRAINT pk_console_session PRIMARY KEY (id),
        CONSTRAINT fk_console_session_token FOREIGN KEY (token_id) REFERENCES api_token (id),
        CONSTRAINT ck_console_session_expiry CHECK (expires_at > created_at)
      );
      COMMENT ON COLUMN console_session.id IS 'sha256 (hex) of the random 32-byte session id the cookie carries';
      COMMENT ON COLUMN console_session.csrf_hash IS 'sha256 (hex) of the CSRF token, itself an HMAC of the session id';
      CREATE INDEX ix_console_session_token ON console_session (token_id) WHERE revoked_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE console_session`);
  }
}
