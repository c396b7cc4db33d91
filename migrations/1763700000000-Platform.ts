import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tokens, the append-only audit trail and the job-run record. */
export class Platform1763700000000 implements MigrationInterface {
  name = 'Platform1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION warden_reject_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'table % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$;

      CREATE TABLE api_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        token_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('viewer', 'engine', 'operator', 'admin')),
        engines text[],
        domains text[],
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        revoked_at timestamptz
      );
      CREATE UNIQUE INDEX ux_api_token_hash ON api_token (token_hash);

      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        principal text NOT NULL,
        actor_label text,
        action text NOT NULL,
        subject text NOT NULL,
        reason text,
        details jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX ix_audit_log_subject ON audit_log (subject, id);
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();

      CREATE TABLE job_run (
        id bigserial PRIMARY KEY,
        job_name text NOT NULL,
        period_at timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('succeeded', 'failed')),
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        instance_id text NOT NULL,
        result jsonb,
        error text
      );
      CREATE INDEX ix_job_run_job_period ON job_run (job_name, period_at);
      CREATE UNIQUE INDEX ux_job_run_succeeded ON job_run (job_name, period_at) WHERE status = 'succeeded';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_run; DROP TABLE audit_log; DROP TABLE api_token; DROP FUNCTION warden_reject_mutation();`);
  }
}
