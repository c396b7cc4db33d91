import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The one control-plane row (safe default: go-live disabled, kill switch released) and operator attestations. */
export class GoLive1763700000100 implements MigrationInterface {
  name = 'GoLive1763700000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE go_live_state (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        go_live_enabled boolean NOT NULL DEFAULT false,
        kill_switch_engaged boolean NOT NULL DEFAULT false,
        reason text,
        changed_by text NOT NULL DEFAULT 'system',
        updated_at timestamptz NOT NULL DEFAULT now(),
        version bigint NOT NULL DEFAULT 1
      );
      INSERT INTO go_live_state (id) VALUES (1);

      CREATE TABLE go_live_attestation (
        item text PRIMARY KEY,
        attested boolean NOT NULL,
        note text,
        attested_by text NOT NULL,
        attested_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE go_live_attestation; DROP TABLE go_live_state;`);
  }
}
