import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * gait approval tokens on the server (docs/gate.md, "gait approval tokens"): the ed25519 keys an
 * operator registered as able to approve a gate intent, and each token's one use.
 *
 * `gate_approval_key` is control state, journaled like the others (state_change_log), so a key
 * slipped in by SQL shows in `warden audit verify`. `gate_approval_token_use` makes a token good for
 * one decision: gait's own CLI lets a token be replayed until it expires, the server does not (a
 * grant of Warden's own is consumed once too); its primary key is the refusal of a concurrent reuse.
 */
export class GateApprovalKeys1763700002200 implements MigrationInterface {
  name = 'GateApprovalKeys1763700002200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gate_approval_key (
        key_id text NOT NULL,
        public_key text NOT NULL,
        name text NOT NULL,
        registered_by text NOT NULL,
        registered_at timestamptz NOT NULL,
        revoked_by text,
        revoked_at timestamptz,
        CONSTRAINT pk_gate_approval_key PRIMARY KEY (key_id),
        CONSTRAINT ck_gate_approval_key_id CHECK (key_id ~ '^[0-9a-f]{64}$'),
        CONSTRAINT ck_gate_approval_key_revoked CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
      );
      COMMENT ON COLUMN gate_approval_key.key_id IS 'gait''s key id: sha256 hex of the raw 32-byte ed25519 public key';
      COMMENT ON COLUMN gate_approval_key.public_key IS 'the raw public key, standard base64 (gait''s key file format)';
      CREATE TABLE gate_approval_token_use (
        token_id text NOT NULL,
        key_id text NOT NULL REFERENCES gate_approval_key (key_id),
        approver_identity text NOT NULL,
        decision_id uuid NOT NULL,
        used_at timestamptz NOT NULL,
        CONSTRAINT pk_gate_approval_token_use PRIMARY KEY (token_id)
      );
      CREATE INDEX ix_gate_approval_token_use_decision ON gate_approval_token_use (decision_id);
      CREATE TRIGGER zz_gate_approval_key_journal AFTER INSERT OR UPDATE OR DELETE ON gate_approval_key
        FOR EACH ROW EXECUTE FUNCTION warden_journal_state('key_id');
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE gate_approval_token_use; DROP TRIGGER zz_gate_approval_key_journal ON gate_approval_key; DROP TABLE gate_approval_key`);
  }
}
