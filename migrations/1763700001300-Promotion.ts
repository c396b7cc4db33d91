import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The promotion review: versioned rule files (the newest is active), the append-only decision log
 * with its full input, and single use of signed overrides by the signature's digest.
 */
export class Promotion1763700001300 implements MigrationInterface {
  name = 'Promotion1763700001300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE promotion_rule_file (
        version bigserial NOT NULL,
        source text NOT NULL,
        digest text NOT NULL,
        rule_count integer NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        reason text,
        CONSTRAINT pk_promotion_rule_file PRIMARY KEY (version)
      )`);
    await q.query(`
      CREATE TABLE promotion_decision (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        seq bigserial NOT NULL,
        decided_at timestamptz NOT NULL,
        decided_by text NOT NULL,
        source text NOT NULL,
        domain text,
        week date,
        scorecard jsonb NOT NULL,
        policy jsonb NOT NULL,
        rules_version bigint,
        rules_digest text NOT NULL,
        override_digest text,
        verdict text NOT NULL,
        reason_codes jsonb NOT NULL,
        overrides jsonb NOT NULL,
        trace jsonb NOT NULL,
        CONSTRAINT pk_promotion_decision PRIMARY KEY (id),
        CONSTRAINT ux_promotion_decision_seq UNIQUE (seq),
        CONSTRAINT ck_promotion_decision_verdict CHECK (verdict IN ('promote', 'demote', 'pilot', 'no_go')),
        CONSTRAINT ck_promotion_decision_source CHECK (source IN ('api', 'friday')),
        CONSTRAINT ck_promotion_decision_week CHECK ((source = 'friday') = (week IS NOT NULL AND domain IS NOT NULL))
      )`);
    // One Friday decision per domain and week, whatever the retries or instances.
    await q.query(`CREATE UNIQUE INDEX ux_promotion_decision_domain_week ON promotion_decision (domain, week) WHERE week IS NOT NULL`);
    await q.query(`CREATE INDEX ix_promotion_decision_domain_seq ON promotion_decision (domain, seq DESC)`);
    await q.query(`
      CREATE TABLE promotion_override_use (
        signature_digest text NOT NULL,
        used_at timestamptz NOT NULL,
        used_by text NOT NULL,
        decision_id uuid NOT NULL,
        CONSTRAINT pk_promotion_override_use PRIMARY KEY (signature_digest),
        CONSTRAINT fk_promotion_override_use_decision FOREIGN KEY (decision_id) REFERENCES promotion_decision (id)
      )`);
    // Append-only: the log and the used-override record are never changed or removed.
    await q.query(`
      CREATE FUNCTION promotion_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
      END $$`);
    for (const table of ['promotion_decision', 'promotion_override_use', 'promotion_rule_file']) {
      await q.query(`CREATE TRIGGER tr_${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION promotion_append_only()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE promotion_override_use`);
    await q.query(`DROP TABLE promotion_decision`);
    await q.query(`DROP TABLE promotion_rule_file`);
    await q.query(`DROP FUNCTION promotion_append_only()`);
  }
}
