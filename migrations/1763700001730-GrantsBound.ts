import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Grants bound to what they undo (docs/approvals.md "Bound to the state it undoes").
 *
 * - `approval_request.bound_version`: the version of the state an act undoes, taken when it was
 *   filed (the engagement of the kill switch, the throttle of an engine, the Friday decision of a
 *   domain); the act runs only while that is still the state's version.
 * - `go_live_state.kill_switch_version`: the row's version at which the kill switch was engaged,
 *   null while released. Kept by a trigger, so no statement can engage or release without it
 *   following: an engagement is one stop, from released to engaged, whatever else changes meanwhile.
 * - `risk_policy.throttled_by`: the tripwire event whose THROTTLE holds the engine off (null: not
 *   throttled). Its own column, so relabelling `disabled_reason` (human text) cannot lift it.
 *
 * At the upgrade: an engine whose reason was the tripwire's is throttled (by `legacy:<engine>`);
 * pending requests of an act are bound to the state in force if they were filed after it began
 * (the others stay unbound and run nothing when approved, recording why).
 */
export class GrantsBound1763700001730 implements MigrationInterface {
  name = 'GrantsBound1763700001730';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE approval_request ADD COLUMN bound_version text;
      CREATE INDEX ix_approval_request_open_act ON approval_request (act, subject) WHERE status = 'pending' AND act IS NOT NULL;

      ALTER TABLE go_live_state ADD COLUMN kill_switch_version bigint;
      UPDATE go_live_state SET kill_switch_version = version WHERE kill_switch_engaged;
      ALTER TABLE go_live_state ADD CONSTRAINT ck_go_live_state_kill_switch_version CHECK ((kill_switch_version IS NULL) = (NOT kill_switch_engaged));
      CREATE FUNCTION go_live_kill_switch_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT NEW.kill_switch_engaged THEN
          NEW.kill_switch_version := NULL;
        ELSIF NOT OLD.kill_switch_engaged THEN
          NEW.kill_switch_version := NEW.version;
        ELSE
          NEW.kill_switch_version := OLD.kill_switch_version;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER go_live_kill_switch_version BEFORE UPDATE ON go_live_state FOR EACH ROW EXECUTE FUNCTION go_live_kill_switch_version();

      ALTER TABLE risk_policy ADD COLUMN throttled_by text;
      UPDATE risk_policy SET throttled_by = 'legacy:' || engine WHERE NOT enabled AND disabled_reason LIKE 'regression_tripwire%';
      ALTER TABLE risk_policy ADD CONSTRAINT ck_risk_policy_throttled_disabled CHECK (throttled_by IS NULL OR NOT enabled);

      UPDATE approval_request r SET bound_version = g.kill_switch_version::text
        FROM go_live_state g
       WHERE r.act = 'kill_switch_release' AND r.status = 'pending' AND g.kill_switch_engaged AND r.created_at >= g.updated_at;
      UPDATE approval_request r SET bound_version = p.throttled_by
        FROM risk_policy p
       WHERE r.act = 'engine_reenable' AND r.status = 'pending' AND r.subject = 'engine:' || p.engine AND p.throttled_by IS NOT NULL;
      UPDATE approval_request r SET bound_version = r.payload->>'decision_id'
       WHERE r.act = 'heimdall_promotion' AND r.status = 'pending';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE risk_policy DROP CONSTRAINT ck_risk_policy_throttled_disabled, DROP COLUMN throttled_by;
      DROP TRIGGER go_live_kill_switch_version ON go_live_state;
      DROP FUNCTION go_live_kill_switch_version();
      ALTER TABLE go_live_state DROP CONSTRAINT ck_go_live_state_kill_switch_version, DROP COLUMN kill_switch_version;
      DROP INDEX ix_approval_request_open_act;
      ALTER TABLE approval_request DROP COLUMN bound_version;
    `);
  }
}
