import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gate: policy files versioned by digest (append-only), the active version and rollout mode per
 * name, every decision (append-only), and the trust evidence per identity (outcomes and operator
 * overrides, both append-only: the current override is the newest row).
 */
export class Gate1763700001100 implements MigrationInterface {
  name = 'Gate1763700001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gate_policy_version (
        name text NOT NULL,
        digest text NOT NULL,
        yaml text NOT NULL,
        normalized jsonb NOT NULL,
        rule_count integer NOT NULL,
        created_by text NOT NULL,
        created_by_token text NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT pk_gate_policy_version PRIMARY KEY (name, digest),
        CONSTRAINT ck_gate_policy_version_digest CHECK (digest ~ '^[0-9a-f]{64}$')
      );
      CREATE TRIGGER gate_policy_version_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON gate_policy_version
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();

      CREATE TABLE gate_policy (
        name text NOT NULL,
        active_digest text NOT NULL,
        mode text NOT NULL,
        trust_threshold numeric NOT NULL DEFAULT 0.5,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT pk_gate_policy PRIMARY KEY (name),
        CONSTRAINT fk_gate_policy_version FOREIGN KEY (name, active_digest) REFERENCES gate_policy_version (name, digest),
        CONSTRAINT ck_gate_policy_mode CHECK (mode IN ('observe', 'dry_run', 'enforce')),
        CONSTRAINT ck_gate_policy_trust CHECK (trust_threshold BETWEEN 0 AND 1)
      );

      CREATE TABLE gate_decision (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        seq bigserial NOT NULL,
        intent_digest text,
        policy_name text NOT NULL,
        policy_digest text,
        mode text,
        verdict text NOT NULL,
        would_have_blocked boolean NOT NULL,
        reason_codes text[] NOT NULL,
        trace jsonb NOT NULL,
        identity text,
        engine text,
        principal text NOT NULL,
        principal_token_id text NOT NULL,
        approval_id uuid,
        approval_use text,
        simulate boolean NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT pk_gate_decision PRIMARY KEY (id),
        CONSTRAINT ux_gate_decision_seq UNIQUE (seq),
        CONSTRAINT ck_gate_decision_verdict CHECK (verdict IN ('allow', 'dry_run', 'require_approval', 'block')),
        CONSTRAINT ck_gate_decision_approval_use CHECK (approval_use IS NULL OR approval_use IN ('requested', 'consumed', 'refused'))
      );
      CREATE INDEX ix_gate_decision_created ON gate_decision (created_at);
      -- A grant is used once: at most one consuming decision per approval (the approvals lever's
      -- consume already refuses a second; this is the gate's own last line).
      CREATE UNIQUE INDEX ux_gate_decision_approval_consumed ON gate_decision (approval_id) WHERE approval_use = 'consumed';
      CREATE TRIGGER gate_decision_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON gate_decision
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();

      CREATE TABLE gate_trust_outcome (
        id bigserial NOT NULL,
        identity text NOT NULL,
        outcome text NOT NULL,
        gate_decision_id uuid,
        reason text NOT NULL,
        reported_by text NOT NULL,
        reported_by_token text NOT NULL,
        at timestamptz NOT NULL,
        CONSTRAINT pk_gate_trust_outcome PRIMARY KEY (id),
        CONSTRAINT fk_gate_trust_outcome_decision FOREIGN KEY (gate_decision_id) REFERENCES gate_decision (id),
        CONSTRAINT ck_gate_trust_outcome CHECK (outcome IN ('allowed', 'violation'))
      );
      CREATE INDEX ix_gate_trust_outcome_identity ON gate_trust_outcome (identity, id);
      CREATE TRIGGER gate_trust_outcome_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON gate_trust_outcome
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();

      CREATE TABLE gate_trust_override (
        id bigserial NOT NULL,
        identity text NOT NULL,
        score numeric,
        reason text NOT NULL,
        set_by text NOT NULL,
        set_by_token text NOT NULL,
        at timestamptz NOT NULL,
        CONSTRAINT pk_gate_trust_override PRIMARY KEY (id),
        CONSTRAINT ck_gate_trust_override_score CHECK (score IS NULL OR score BETWEEN 0 AND 1)
      );
      CREATE INDEX ix_gate_trust_override_identity ON gate_trust_override (identity, id);
      CREATE TRIGGER gate_trust_override_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON gate_trust_override
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE gate_trust_override; DROP TABLE gate_trust_outcome; DROP TABLE gate_decision; DROP TABLE gate_policy; DROP TABLE gate_policy_version;`);
  }
}
