import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys are scoped per engine: the same correlation_id used by two engines is two
 * requests, so uniqueness is on (correlation_id, engine) — correlation_id first, so a lookup by the
 * key alone (a settle that does not name the engine) still uses the index.
 *
 * risk_close_batch gains an engine argument (a key is resolved within an engine) and a result column,
 * so the old signature is dropped here; its new body is the repeatable file
 * libs/risk-guard/src/sql/risk_close_batch.sql.ts, applied right after the migrations.
 */
export class RiskKeysPerEngine1763700000710 implements MigrationInterface {
  name = 'RiskKeysPerEngine1763700000710';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX ux_risk_reservation_correlation;
      CREATE UNIQUE INDEX ux_risk_reservation_correlation ON risk_reservation (correlation_id, engine);
      DROP INDEX ux_risk_event_reserve_correlation;
      CREATE UNIQUE INDEX ux_risk_event_reserve_correlation ON risk_event (correlation_id, engine) WHERE kind = 'reserve';
      DROP FUNCTION risk_close_batch(timestamptz, text[], uuid[], text[], numeric[], text[], text[], text[]);
    `);
  }

  /**
   * Back to one namespace (fails if two engines now share a key). The scoped risk_close_batch is dropped;
   * the previous release's definition comes back with that release's repeatable step.
   */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION IF EXISTS risk_close_batch(timestamptz, text[], uuid[], text[], text[], numeric[], text[], text[], text[]);
      DELETE FROM schema_repeatable WHERE name = 'risk_close_batch';
      DROP INDEX ux_risk_event_reserve_correlation;
      CREATE UNIQUE INDEX ux_risk_event_reserve_correlation ON risk_event (correlation_id) WHERE kind = 'reserve';
      DROP INDEX ux_risk_reservation_correlation;
      CREATE UNIQUE INDEX ux_risk_reservation_correlation ON risk_reservation (correlation_id);
    `);
  }
}
