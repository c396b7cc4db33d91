import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A settle may book at most the reserved amount times the policy's max_loss_multiple (default 1);
 * anything else is an operator's adjustment: an append-only compensating entry on a day's ledger
 * (accounting's way: never edit, post a correction). A day's realized loss never goes below 0.
 */
export class RiskLossBoundAndAdjustments1763700000720 implements MigrationInterface {
  name = 'RiskLossBoundAndAdjustments1763700000720';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE risk_policy ADD COLUMN max_loss_multiple numeric(19, 4) NOT NULL DEFAULT 1
        CONSTRAINT ck_risk_policy_max_loss_multiple CHECK (max_loss_multiple > 0);
      ALTER TABLE risk_ledger_day ADD CONSTRAINT ck_risk_ledger_day_loss_not_negative CHECK (realized_loss >= 0);

      CREATE TABLE risk_adjustment (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        day date NOT NULL,
        engine text NOT NULL CHECK (engine ~ '^[A-Z0-9_]{1,32}$' AND engine <> 'GLOBAL'),
        realized_loss_delta numeric(19, 4) NOT NULL CHECK (realized_loss_delta <> 0),
        reason text NOT NULL CHECK (btrim(reason) <> ''),
        correlation_id text NOT NULL,
        request_digest text NOT NULL,
        principal text NOT NULL,
        token_id text NOT NULL
      );
      -- Idempotency record, scoped per engine like every risk key.
      CREATE UNIQUE INDEX ux_risk_adjustment_correlation ON risk_adjustment (correlation_id, engine);
      CREATE INDEX ix_risk_adjustment_day ON risk_adjustment (day, engine);
      CREATE TRIGGER risk_adjustment_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON risk_adjustment
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE risk_adjustment;
      ALTER TABLE risk_ledger_day DROP CONSTRAINT ck_risk_ledger_day_loss_not_negative;
      ALTER TABLE risk_policy DROP COLUMN max_loss_multiple;
    `);
  }
}
