import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Change governance: stored policy versions (append-only, by digest) and their activations
 * (append-only; the newest is in force, none means Autopack's built-in default), the runs and the
 * engine each belongs to (claimed by its first change), and the change requests — the lever's
 * decision log. A request's decision, paths and answer never change; only a pending request moves
 * (once) to its outcome, and a break-glass request's retroactive review closes once.
 */
export class Changes1763700001800 implements MigrationInterface {
  name = 'Changes1763700001800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE change_policy_version (
        digest text NOT NULL,
        yaml text NOT NULL,
        normalized jsonb NOT NULL,
        created_by text NOT NULL,
        created_by_token text NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT pk_change_policy_version PRIMARY KEY (digest),
        CONSTRAINT ck_change_policy_version_digest CHECK (digest ~ '^[0-9a-f]{64}$')
      );
      CREATE TRIGGER change_policy_version_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON change_policy_version
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();

      CREATE TABLE change_policy_activation (
        seq bigserial NOT NULL,
        digest text NOT NULL,
        activated_by text NOT NULL,
        activated_by_token text NOT NULL,
        reason text,
        activated_at timestamptz NOT NULL,
        CONSTRAINT pk_change_policy_activation PRIMARY KEY (seq),
        CONSTRAINT fk_change_policy_activation_version FOREIGN KEY (digest) REFERENCES change_policy_version (digest)
      );
      CREATE TRIGGER change_policy_activation_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON change_policy_activation
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();

      CREATE TABLE change_run (
        run_id text NOT NULL,
        engine text,
        claimed_by text NOT NULL,
        claimed_by_token text NOT NULL,
        claimed_at timestamptz NOT NULL,
        CONSTRAINT pk_change_run PRIMARY KEY (run_id)
      );
      CREATE TRIGGER change_run_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON change_run
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();

      CREATE TABLE change_request (
        id uuid NOT NULL,
        seq bigserial NOT NULL,
        run_id text NOT NULL,
        phase_id text NOT NULL,
        engine text,
        path_count integer NOT NULL,
        tier smallint NOT NULL,
        risk_level text NOT NULL,
        auto_approved boolean NOT NULL,
        policy_digest text NOT NULL,
        answer jsonb NOT NULL,
        status text NOT NULL,
        approval_id uuid,
        expires_at timestamptz,
        approved_by text,
        decision_reason text,
        decided_at timestamptz,
        requested_by text NOT NULL,
        requested_by_token text NOT NULL,
        created_at timestamptz NOT NULL,
        break_glass_by text,
        break_glass_token text,
        break_glass_reason text,
        break_glass_at timestamptz,
        review_approval_id uuid,
        review_status text,
        review_closed_by text,
        review_closed_at timestamptz,
        CONSTRAINT pk_change_request PRIMARY KEY (id),
        CONSTRAINT ux_change_request_seq UNIQUE (seq),
        CONSTRAINT fk_change_request_run FOREIGN KEY (run_id) REFERENCES change_run (run_id),
        CONSTRAINT ck_change_request_tier CHECK (tier BETWEEN 1 AND 4),
        CONSTRAINT ck_change_request_risk CHECK (risk_level IN ('low', 'medium', 'high', 'critical')),
        CONSTRAINT ck_change_request_status CHECK (status IN ('approved', 'pending', 'rejected', 'expired', 'cancelled', 'break_glass')),
        CONSTRAINT ck_change_request_auto CHECK (
          (auto_approved AND tier <= 2 AND status = 'approved' AND approval_id IS NULL)
          OR (NOT auto_approved AND tier >= 3 AND approval_id IS NOT NULL AND expires_at IS NOT NULL)),
        CONSTRAINT ck_change_request_break_glass CHECK (
          (status = 'break_glass') = (break_glass_at IS NOT NULL AND break_glass_by IS NOT NULL AND break_glass_reason IS NOT NULL AND review_approval_id IS NOT NULL)),
        CONSTRAINT ck_change_request_review CHECK (review_status IS NULL OR review_status IN ('open', 'upheld', 'disputed'))
      );
      CREATE INDEX ix_change_request_run_seq ON change_request (run_id, seq);
      CREATE INDEX ix_change_request_pending_seq ON change_request (seq) WHERE status = 'pending';
      CREATE INDEX ix_change_request_created ON change_request (created_at);
      CREATE INDEX ix_change_request_approval ON change_request (approval_id) WHERE approval_id IS NOT NULL;
      CREATE INDEX ix_change_request_review ON change_request (review_approval_id) WHERE review_approval_id IS NOT NULL;
      CREATE INDEX ix_change_request_break_glass ON change_request (break_glass_at) WHERE break_glass_at IS NOT NULL;

      -- What a request was asked and answered never changes; its status moves once, out of pending;
      -- a retroactive review closes once. Rows are never deleted.
      CREATE FUNCTION change_request_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'change_request rows are never deleted'; END IF;
        IF (NEW.id, NEW.run_id, NEW.phase_id, NEW.engine, NEW.tier, NEW.risk_level, NEW.auto_approved, NEW.policy_digest, NEW.answer::text,
            NEW.approval_id, NEW.expires_at, NEW.requested_by, NEW.requested_by_token, NEW.created_at)
           IS DISTINCT FROM
           (OLD.id, OLD.run_id, OLD.phase_id, OLD.engine, OLD.tier, OLD.risk_level, OLD.auto_approved, OLD.policy_digest, OLD.answer::text,
            OLD.approval_id, OLD.expires_at, OLD.requested_by, OLD.requested_by_token, OLD.created_at) THEN
          RAISE EXCEPTION 'change_request %: what was asked and decided never changes', OLD.id;
        END IF;
        IF OLD.status <> 'pending' AND (NEW.status, NEW.approved_by, NEW.decided_at, NEW.break_glass_at) IS DISTINCT FROM (OLD.status, OLD.approved_by, OLD.decided_at, OLD.break_glass_at) THEN
          RAISE EXCEPTION 'change_request % is already %: a decided request never changes', OLD.id, OLD.status;
        END IF;
        IF OLD.review_status IN ('upheld', 'disputed') AND NEW.review_status IS DISTINCT FROM OLD.review_status THEN
          RAISE EXCEPTION 'change_request %: its review is already closed', OLD.id;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER change_request_guard BEFORE UPDATE OR DELETE ON change_request FOR EACH ROW EXECUTE FUNCTION change_request_guard();
      CREATE TRIGGER change_request_no_truncate BEFORE TRUNCATE ON change_request FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE change_request; DROP FUNCTION change_request_guard();
      DROP TABLE change_run; DROP TABLE change_policy_activation; DROP TABLE change_policy_version;
    `);
  }
}
