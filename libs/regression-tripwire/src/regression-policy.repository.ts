import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';
import type { DetectorKind } from './decide/detector.js';
import type { PolicyValues } from './decide/policy-values.js';
import type { RegressionAction } from './regression-tripwire.constants.js';

/** One row of `regression_policy` (migration RegressionTripwire); `kind` joined from `kpi_stream` where read. */
export interface RegressionPolicyRow extends PolicyValues {
  created_at: Date;
  updated_at: Date;
  updated_by: string;
  kind?: DetectorKind | null;
}

/** What a tripwire can do, as the binding check reads it. */
export interface PolicyReachRow {
  domain: string;
  metric: string;
  action: RegressionAction;
  target_engine: string;
}

type Queryable = Pick<EntityManager, 'query'>;

const COLUMNS = `p.domain, p.metric, p.enabled, p.window_events, p.baseline_events, p.min_events, p.max_drop_fraction, p.action,
  p.target_engine, p.alpha, p.created_at, p.updated_at, p.updated_by`;

/** All SQL on `regression_policy`. */
@Injectable()
export class RegressionPolicyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(): Promise<RegressionPolicyRow[]> {
    return sqlRows<RegressionPolicyRow>(
      this.dataSource,
      `SELECT ${COLUMNS}, s.kind FROM regression_policy p LEFT JOIN kpi_stream s USING (domain, metric) ORDER BY p.domain, p.metric`,
    );
  }

  /** The policy with its stream's kind, row-locked for a change. */
  loadForUpdate(m: EntityManager, domain: string, metric: string): Promise<RegressionPolicyRow | undefined> {
    return sqlOne<RegressionPolicyRow>(
      m,
      `SELECT ${COLUMNS}, s.kind FROM regression_policy p LEFT JOIN kpi_stream s USING (domain, metric)
       WHERE p.domain = $1 AND p.metric = $2 FOR UPDATE OF p`,
      [domain, metric],
    );
  }

  find(m: Queryable, domain: string, metric: string): Promise<RegressionPolicyRow | undefined> {
    return sqlOne<RegressionPolicyRow>(m, `SELECT ${COLUMNS} FROM regression_policy p WHERE p.domain = $1 AND p.metric = $2`, [domain, metric]);
  }

  /** Inserts or overwrites the policy; returns it with its stream's kind. */
  async upsert(m: EntityManager, v: PolicyValues, now: Date, by: string): Promise<RegressionPolicyRow> {
    const row = await sqlOne<RegressionPolicyRow>(
      m,
      `WITH w AS (
         INSERT INTO regression_policy AS p (domain, metric, enabled, window_events, baseline_events, min_events, max_drop_fraction, action, target_engine, alpha, created_at, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)
         ON CONFLICT (domain, metric) DO UPDATE SET enabled = EXCLUDED.enabled, window_events = EXCLUDED.window_events,
           baseline_events = EXCLUDED.baseline_events, min_events = EXCLUDED.min_events, max_drop_fraction = EXCLUDED.max_drop_fraction,
           action = EXCLUDED.action, target_engine = EXCLUDED.target_engine, alpha = EXCLUDED.alpha,
           updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
         RETURNING ${COLUMNS})
       SELECT w.*, s.kind FROM w LEFT JOIN kpi_stream s USING (domain, metric)`,
      [v.domain, v.metric, v.enabled, v.window_events, v.baseline_events, v.min_events, v.max_drop_fraction, v.action, v.target_engine, v.alpha, now, by],
    );
    return row!;
  }

  async counts(): Promise<{ total: number; enabled: number }> {
    const row = await sqlOne<{ total: number; enabled: number }>(
      this.dataSource,
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE enabled)::int AS enabled FROM regression_policy`,
    );
    return row ?? { total: 0, enabled: 0 };
  }

  /** The action and target engine of each of these streams' tripwires (streams without one are absent). */
  reaches(streams: Array<{ domain: string; metric: string }>): Promise<PolicyReachRow[]> {
    return sqlRows<PolicyReachRow>(
      this.dataSource,
      `SELECT p.domain, p.metric, p.action, p.target_engine FROM regression_policy p
       JOIN unnest($1::text[], $2::text[]) AS t(d, mt) ON p.domain = t.d AND p.metric = t.mt`,
      [streams.map((s) => s.domain), streams.map((s) => s.metric)],
    );
  }

  /** What the scheduled evaluation visits: every enabled policy, plus disabled ones whose state still says otherwise. */
  due(): Promise<Array<{ domain: string; metric: string }>> {
    return sqlRows(
      this.dataSource,
      `SELECT p.domain, p.metric FROM regression_policy p LEFT JOIN regression_state s USING (domain, metric)
       WHERE p.enabled OR (s.status IS NOT NULL AND s.status NOT IN ('disabled', 'never_evaluated'))
       ORDER BY p.domain, p.metric`,
    );
  }

  /** The policies of a domain (or one of its metrics). */
  ofDomain(m: Queryable, domain: string, metric: string | null): Promise<Array<{ domain: string; metric: string }>> {
    return sqlRows(
      m,
      `SELECT domain, metric FROM regression_policy WHERE domain = $1 AND ($2::text IS NULL OR metric = $2) ORDER BY domain, metric`,
      [domain, metric],
    );
  }
}
