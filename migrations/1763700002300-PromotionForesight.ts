import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The foresight gate (docs/promotion-review.md, "The foresight gate"): each Friday decision keeps
 * the forecast that judged its promote (menace's decision_log.jsonl record), and `borderline` — the
 * verdict a failed forecast leaves when a borderline review is configured — is a verdict of the log.
 * The column is nullable, so rows chained before it hash as they did (the chain strips nulls).
 */
export class PromotionForesight1763700002300 implements MigrationInterface {
  name = 'PromotionForesight1763700002300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE promotion_decision ADD COLUMN forecast jsonb;
      COMMENT ON COLUMN promotion_decision.forecast IS 'the foresight gate''s record for a promote (menace decision_log.jsonl fields); null when no forecast was made';
      ALTER TABLE promotion_decision DROP CONSTRAINT ck_promotion_decision_verdict;
      ALTER TABLE promotion_decision ADD CONSTRAINT ck_promotion_decision_verdict CHECK (verdict IN ('promote', 'demote', 'pilot', 'no_go', 'borderline'));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE promotion_decision DROP CONSTRAINT ck_promotion_decision_verdict;
      ALTER TABLE promotion_decision ADD CONSTRAINT ck_promotion_decision_verdict CHECK (verdict IN ('promote', 'demote', 'pilot', 'no_go'));
      ALTER TABLE promotion_decision DROP COLUMN forecast;
    `);
  }
}
