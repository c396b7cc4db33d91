import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The decision log's filters (GET /gate/decisions), each newest first by seq: a (column, seq)
 * b-tree per equality filter, so a filtered page walks one index backwards from the cursor; a GIN
 * index on reason_codes for `reason_codes @> ARRAY[code]`. The time range already has
 * ix_gate_decision_created, the unfiltered log ux_gate_decision_seq.
 */
export class GateDecisionIndexes1763700001770 implements MigrationInterface {
  name = 'GateDecisionIndexes1763700001770';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX ix_gate_decision_verdict_seq ON gate_decision (verdict, seq);
      CREATE INDEX ix_gate_decision_identity_seq ON gate_decision (identity, seq) WHERE identity IS NOT NULL;
      CREATE INDEX ix_gate_decision_engine_seq ON gate_decision (engine, seq) WHERE engine IS NOT NULL;
      CREATE INDEX ix_gate_decision_policy_seq ON gate_decision (policy_name, seq);
      CREATE INDEX ix_gate_decision_reason_codes ON gate_decision USING gin (reason_codes);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX ix_gate_decision_reason_codes; DROP INDEX ix_gate_decision_policy_seq; DROP INDEX ix_gate_decision_engine_seq;
      DROP INDEX ix_gate_decision_identity_seq; DROP INDEX ix_gate_decision_verdict_seq;
    `);
  }
}
