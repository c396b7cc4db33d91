import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The weekly review: one report per ISO week, written once and never changed (append-only
 * trigger; writers insert ... on conflict do nothing). `digest` is the SHA-256 of the canonical
 * JSON of the report, so anyone can check a copy against it.
 */
export class ReviewReport1763700001400 implements MigrationInterface {
  name = 'ReviewReport1763700001400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE review_report (
        week text NOT NULL CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),
        week_start timestamptz NOT NULL,
        generated_at timestamptz NOT NULL,
        generated_by text NOT NULL,
        report jsonb NOT NULL,
        digest text NOT NULL,
        CONSTRAINT pk_review_report PRIMARY KEY (week)
      );
      CREATE UNIQUE INDEX ux_review_report_week_start ON review_report (week_start DESC);
      CREATE TRIGGER review_report_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON review_report
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE review_report;`);
  }
}
