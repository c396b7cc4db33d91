import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';

export interface GateWeekRow {
  decisions: string;
  allow: string;
  dry_run: string;
  require_approval: string;
  block: string;
  simulated: string;
  would_have_blocked_observe: string;
  would_have_blocked_dry_run: string;
  would_have_blocked_simulate: string;
  approvals_filed: string;
  approvals_consumed: string;
}

export interface GateReasonRow {
  reason_code: string;
  count: string;
}

/**
 * The gate's weekly aggregates for the review, over [from, to) of gate_decision through
 * ix_gate_decision_created (a range scan; no row leaves the database). Simulated evaluations
 * (`simulate: true`) are counted apart: they decided nothing.
 */
@Injectable()
export class GateReviewRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async week(from: Date, to: Date): Promise<GateWeekRow> {
    const row = await sqlOne<GateWeekRow>(
      this.dataSource,
      `SELECT count(*) FILTER (WHERE NOT simulate)::text AS decisions,
              count(*) FILTER (WHERE NOT simulate AND verdict = 'allow')::text AS allow,
              count(*) FILTER (WHERE NOT simulate AND verdict = 'dry_run')::text AS dry_run,
              count(*) FILTER (WHERE NOT simulate AND verdict = 'require_approval')::text AS require_approval,
              count(*) FILTER (WHERE NOT simulate AND verdict = 'block')::text AS block,
              count(*) FILTER (WHERE simulate)::text AS simulated,
              count(*) FILTER (WHERE NOT simulate AND mode = 'observe' AND would_have_blocked)::text AS would_have_blocked_observe,
              count(*) FILTER (WHERE NOT simulate AND mode = 'dry_run' AND would_have_blocked)::text AS would_have_blocked_dry_run,
              count(*) FILTER (WHERE simulate AND would_have_blocked)::text AS would_have_blocked_simulate,
              count(*) FILTER (WHERE approval_use = 'requested')::text AS approvals_filed,
              count(*) FILTER (WHERE approval_use = 'consumed')::text AS approvals_consumed
         FROM gate_decision
        WHERE created_at >= $1 AND created_at < $2`,
      [from, to],
    );
    return row!;
  }

  /** The `limit` most frequent reason codes of the week's real (not simulated) decisions; ties by code. */
  topReasonCodes(from: Date, to: Date, limit: number): Promise<GateReasonRow[]> {
    return sqlRows<GateReasonRow>(
      this.dataSource,
      `SELECT rc AS reason_code, count(*)::text AS count
         FROM gate_decision d CROSS JOIN LATERAL unnest(d.reason_codes) AS rc
        WHERE d.created_at >= $1 AND d.created_at < $2 AND NOT d.simulate
        GROUP BY rc
        ORDER BY count(*) DESC, rc
        LIMIT $3`,
      [from, to, limit],
    );
  }
}
