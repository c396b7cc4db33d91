import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Approvals: the request (one row, its status moved by single conditional statements), its
 * append-only decisions (one per approver, enforced by a unique key), and the decided-event queue
 * that tells the requesting lever, after commit and at least once, that a request was decided.
 */
export class Approvals1763700001000 implements MigrationInterface {
  name = 'Approvals1763700001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE approval_request (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        seq bigserial NOT NULL,
        kind text NOT NULL,
        subject text NOT NULL,
        payload jsonb NOT NULL,
        payload_digest text NOT NULL,
        requested_by text NOT NULL,
        requested_by_token text NOT NULL,
        correlation_id text,
        request_digest text NOT NULL,
        reason text NOT NULL,
        risk_level text NOT NULL,
        min_approvals integer NOT NULL,
        approver_roles text[] NOT NULL,
        approvals integer NOT NULL DEFAULT 0,
        status text NOT NULL DEFAULT 'pending',
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        decided_at timestamptz,
        consumed_at timestamptz,
        consumed_by text,
        CONSTRAINT pk_approval_request PRIMARY KEY (id),
        CONSTRAINT ux_approval_request_seq UNIQUE (seq),
        CONSTRAINT ck_approval_request_kind CHECK (kind IN ('gate_intent', 'heimdall_promotion', 'kill_switch_release', 'engine_reenable', 'manual')),
        CONSTRAINT ck_approval_request_risk CHECK (risk_level IN ('low', 'medium', 'high', 'critical')),
        CONSTRAINT ck_approval_request_status CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'cancelled')),
        CONSTRAINT ck_approval_request_min CHECK (min_approvals BETWEEN 1 AND 10 AND (risk_level <> 'critical' OR min_approvals >= 2)),
        CONSTRAINT ck_approval_request_expiry CHECK (expires_at > created_at AND expires_at <= created_at + interval '7 days'),
        CONSTRAINT ck_approval_request_decided CHECK ((status = 'pending') = (decided_at IS NULL)),
        CONSTRAINT ck_approval_request_consumed CHECK (consumed_at IS NULL OR status = 'approved')
      );
      CREATE INDEX ix_approval_request_pending_expiry ON approval_request (expires_at) WHERE status = 'pending';
      CREATE INDEX ix_approval_request_kind_seq ON approval_request (kind, seq);
      CREATE INDEX ix_approval_request_subject_seq ON approval_request (subject, seq);
      CREATE UNIQUE INDEX ux_approval_request_correlation ON approval_request (requested_by, correlation_id) WHERE correlation_id IS NOT NULL;

      CREATE TABLE approval_decision (
        id bigserial NOT NULL,
        approval_id uuid NOT NULL,
        approver text NOT NULL,
        approver_token text NOT NULL,
        approver_role text NOT NULL,
        decision text NOT NULL,
        reason text,
        decided_at timestamptz NOT NULL,
        CONSTRAINT pk_approval_decision PRIMARY KEY (id),
        CONSTRAINT fk_approval_decision_request FOREIGN KEY (approval_id) REFERENCES approval_request (id),
        CONSTRAINT ux_approval_decision_approver UNIQUE (approval_id, approver),
        CONSTRAINT ck_approval_decision_kind CHECK (decision IN ('approve', 'reject')),
        CONSTRAINT ck_approval_decision_reason CHECK (decision = 'approve' OR length(reason) > 0)
      );
      CREATE TRIGGER approval_decision_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON approval_decision
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();

      -- The last line of the no-self-approval rule: whatever statement inserts a decision, the
      -- requester's own principal (by name or by token) is refused here.
      CREATE FUNCTION approval_decision_not_requester() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM approval_request r WHERE r.id = NEW.approval_id
                   AND (r.requested_by = NEW.approver OR r.requested_by_token = NEW.approver_token)) THEN
          RAISE EXCEPTION 'the requester of approval % cannot decide it', NEW.approval_id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER approval_decision_not_requester BEFORE INSERT ON approval_decision
        FOR EACH ROW EXECUTE FUNCTION approval_decision_not_requester();

      -- One row per request that reached a final status, written by the statement that decided it;
      -- the requesting lever's handler marks it handled in its own transaction (at least once).
      CREATE TABLE approval_decided_event (
        approval_id uuid NOT NULL,
        kind text NOT NULL,
        status text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        handled_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        CONSTRAINT pk_approval_decided_event PRIMARY KEY (approval_id),
        CONSTRAINT fk_approval_decided_event_request FOREIGN KEY (approval_id) REFERENCES approval_request (id)
      );
      CREATE INDEX ix_approval_decided_event_unhandled ON approval_decided_event (kind, next_attempt_at) WHERE handled_at IS NULL;

      CREATE FUNCTION approval_decided_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('warden_approval_decided', '');
        RETURN NULL;
      END $$;
      CREATE TRIGGER approval_decided_event_notify AFTER INSERT ON approval_decided_event
        FOR EACH STATEMENT EXECUTE FUNCTION approval_decided_notify();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE approval_decided_event;
      DROP FUNCTION approval_decided_notify();
      DROP TABLE approval_decision;
      DROP FUNCTION approval_decision_not_requester();
      DROP TABLE approval_request;
    `);
  }
}
