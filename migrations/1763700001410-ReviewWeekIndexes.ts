import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes the levers' weekly review aggregates read through, so a week's report costs index range
 * scans whatever the volume. The risk_event ones are partial: a reservation that is allowed (the
 * hot path) is not written to either.
 */
export class ReviewWeekIndexes1763700001410 implements MigrationInterface {
  name = 'ReviewWeekIndexes1763700001410';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX ix_risk_event_denied_at ON risk_event (at) INCLUDE (engine, reason_codes) WHERE kind = 'reserve' AND outcome = 'denied';
      CREATE INDEX ix_risk_event_closed_at ON risk_event (at) INCLUDE (engine, kind, amount)
        WHERE kind IN ('expire', 'void') AND outcome IN ('expired', 'voided');
      CREATE INDEX ix_heimdall_recommendation_created_at ON heimdall_recommendation (created_at) INCLUDE (domain, prod_eligible);
      CREATE INDEX ix_approval_request_created_at ON approval_request (created_at);
      CREATE INDEX ix_approval_request_decided_at ON approval_request (decided_at) WHERE decided_at IS NOT NULL;
      CREATE INDEX ix_approval_request_expires_at ON approval_request (expires_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX ix_approval_request_expires_at;
      DROP INDEX ix_approval_request_decided_at;
      DROP INDEX ix_approval_request_created_at;
      DROP INDEX ix_heimdall_recommendation_created_at;
      DROP INDEX ix_risk_event_closed_at;
      DROP INDEX ix_risk_event_denied_at;
    `);
  }
}
