import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One approved-act mechanism (docs/approvals.md): a request records the lever and the act it was
 * filed for (both null on a plain request, such as every one filed over HTTP), and only that act
 * consumes its grant. Kinds are registered by the levers at start, so the closed CHECK on kind goes;
 * only the spelling is checked here.
 *
 * Requests filed before this migration by a lever for its act are stamped once, from what the lever
 * recorded when it filed them, so one pending at the upgrade still acts when approved afterwards.
 */
export class ApprovalActs1763700001700 implements MigrationInterface {
  name = 'ApprovalActs1763700001700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE approval_request
        ADD COLUMN lever text,
        ADD COLUMN act text,
        DROP CONSTRAINT ck_approval_request_kind,
        ADD CONSTRAINT ck_approval_request_kind CHECK (kind ~ '^[a-z][a-z0-9_]{0,63}$'),
        ADD CONSTRAINT ck_approval_request_act CHECK ((lever IS NULL) = (act IS NULL) AND (act IS NULL OR act ~ '^[a-z][a-z0-9_]{0,63}$'));

      UPDATE approval_request r SET lever = 'go_live', act = 'kill_switch_release'
       WHERE r.kind = 'kill_switch_release'
         AND EXISTS (SELECT 1 FROM audit_log a WHERE a.subject = 'approval:' || r.id AND a.action = 'go_live.kill_switch.release_requested');
      UPDATE approval_request r SET lever = 'risk', act = 'engine_reenable'
       WHERE r.kind = 'engine_reenable'
         AND EXISTS (SELECT 1 FROM audit_log a WHERE a.subject = 'approval:' || r.id AND a.action = 'risk.policy.reenable_requested');
      UPDATE approval_request r SET lever = 'promotion', act = 'heimdall_promotion'
       WHERE r.kind = 'heimdall_promotion' AND r.requested_by = 'system' AND r.correlation_id LIKE 'promotion:%';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE approval_request
        DROP CONSTRAINT ck_approval_request_act,
        DROP CONSTRAINT ck_approval_request_kind,
        DROP COLUMN act,
        DROP COLUMN lever,
        ADD CONSTRAINT ck_approval_request_kind CHECK (kind IN ('gate_intent', 'heimdall_promotion', 'kill_switch_release', 'engine_reenable', 'manual'));
    `);
  }
}
