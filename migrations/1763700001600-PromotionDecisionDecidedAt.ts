import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The weekly review's promotion section reads the week's decisions by decided_at: an index range
 * scan instead of a scan of the whole decision log. (gate_decision already has
 * ix_gate_decision_created on created_at.)
 */
export class PromotionDecisionDecidedAt1763700001600 implements MigrationInterface {
  name = 'PromotionDecisionDecidedAt1763700001600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_promotion_decision_decided_at ON promotion_decision (decided_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_promotion_decision_decided_at`);
  }
}
