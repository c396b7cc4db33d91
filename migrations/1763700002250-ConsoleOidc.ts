import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in through the company's OpenID provider (docs/auth.md, "Single sign-on"):
 *
 * - A console session belongs to a **person**: `token:<owner>` for a session signed in with a
 *   token, `oidc:<issuer>#<subject>` for one signed in through the IdP (which has no token: its
 *   role is the one mapped from the IdP's groups at sign-in). The per-person session cap counts
 *   this column, so two tokens of one owner share it.
 * - `console_oidc_flow`: a started sign-in (state, nonce, PKCE verifier), kept server-side and
 *   consumed once; the browser holds only a random handle to it.
 * - A token can belong to an IdP person (`owner_person`): tokens created from an SSO session are
 *   that person's, so approvals count them with the person's own sign-ins. The person functions
 *   the approvals use read it, and treat an SSO principal's token id (its person) as the person.
 */
export class ConsoleOidc1763700002250 implements MigrationInterface {
  name = 'ConsoleOidc1763700002250';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE api_token ADD COLUMN owner_person text,
        ADD CONSTRAINT ck_api_token_owner_person CHECK (owner_person IS NULL OR owner_person LIKE 'oidc:%');
      COMMENT ON COLUMN api_token.owner_person IS 'the IdP person (oidc:<issuer>#<subject>) the token belongs to, when one created it; null: token:<owner>';

      ALTER TABLE console_session ALTER COLUMN token_id DROP NOT NULL, ADD COLUMN person text;
      UPDATE console_session s SET person = 'token:' || lower(t.owner) FROM api_token t WHERE t.id = s.token_id;
      ALTER TABLE console_session ALTER COLUMN person SET NOT NULL,
        ADD CONSTRAINT ck_console_session_principal CHECK (token_id IS NOT NULL OR person LIKE 'oidc:%');
      COMMENT ON COLUMN console_session.person IS 'who signed in: token:<owner> (token sessions) or oidc:<issuer>#<subject> (SSO sessions, which have no token)';
      CREATE INDEX ix_console_session_person ON console_session (person) WHERE revoked_at IS NULL;

      CREATE TABLE console_oidc_flow (
        id text NOT NULL,
        state text NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT pk_console_oidc_flow PRIMARY KEY (id),
        CONSTRAINT ck_console_oidc_flow_expiry CHECK (expires_at > created_at)
      );
      COMMENT ON COLUMN console_oidc_flow.id IS 'sha256 (hex) of the random handle the browser''s short-lived cookie carries';
      CREATE INDEX ix_console_oidc_flow_expiry ON console_oidc_flow (expires_at);

      CREATE OR REPLACE FUNCTION warden_principal_person(p_token text, p_name text) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT CASE WHEN p_token = 'system' THEN 'system'
                    WHEN p_token LIKE 'oidc:%' THEN p_token
                    ELSE coalesce((SELECT coalesce(t.owner_person, 'token:' || lower(t.owner)) FROM api_token t WHERE t.id::text = p_token), p_name) END
      $$;

      CREATE OR REPLACE FUNCTION api_token_owner_default() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE maker api_token;
      BEGIN
        NEW.owner := coalesce(NEW.owner, NEW.name);
        IF NEW.created_by_token IS NULL OR NEW.created_by_person IS NULL THEN
          SELECT * INTO maker FROM api_token c WHERE lower(c.name) = lower(NEW.created_by);
          NEW.created_by_token := coalesce(NEW.created_by_token, maker.id::text, CASE WHEN NEW.created_by = 'system' THEN 'system' END);
          NEW.created_by_person := coalesce(NEW.created_by_person, maker.owner_person, 'token:' || lower(maker.owner), NEW.created_by);
        END IF;
        RETURN NEW;
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION api_token_owner_default() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE maker api_token;
      BEGIN
        NEW.owner := coalesce(NEW.owner, NEW.name);
        IF NEW.created_by_token IS NULL OR NEW.created_by_person IS NULL THEN
          SELECT * INTO maker FROM api_token c WHERE lower(c.name) = lower(NEW.created_by);
          NEW.created_by_token := coalesce(NEW.created_by_token, maker.id::text, CASE WHEN NEW.created_by = 'system' THEN 'system' END);
          NEW.created_by_person := coalesce(NEW.created_by_person, 'token:' || lower(maker.owner), NEW.created_by);
        END IF;
        RETURN NEW;
      END $$;
      CREATE OR REPLACE FUNCTION warden_principal_person(p_token text, p_name text) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT CASE WHEN p_token = 'system' THEN 'system'
                    ELSE coalesce((SELECT 'token:' || lower(t.owner) FROM api_token t WHERE t.id::text = p_token), p_name) END
      $$;
      DROP TABLE console_oidc_flow;
      DELETE FROM console_session WHERE token_id IS NULL;
      DROP INDEX ix_console_session_person;
      ALTER TABLE console_session DROP CONSTRAINT ck_console_session_principal, DROP COLUMN person, ALTER COLUMN token_id SET NOT NULL;
      ALTER TABLE api_token DROP CONSTRAINT ck_api_token_owner_person, DROP COLUMN owner_person;
    `);
  }
}
