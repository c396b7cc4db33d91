import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';

type Queryable = Pick<EntityManager, 'query'>;

export interface RuleFileRow {
  version: string;
  source: string;
  digest: string;
  rule_count: number;
  created_by: string;
  created_at: Date;
  reason: string | null;
}

export interface DecisionRow {
  id: string;
  seq: string;
  decided_at: Date;
  decided_by: string;
  source: 'api' | 'friday';
  domain: string | null;
  week: string | null;
  scorecard: unknown;
  policy: unknown;
  rules_version: string | null;
  rules_digest: string;
  override_digest: string | null;
  verdict: string;
  reason_codes: string[];
  overrides: Record<string, unknown>;
  trace: unknown[];
  /** The foresight gate's record of a Friday promote (menace's decision_log.jsonl fields); null otherwise. */
  forecast: Record<string, unknown> | null;
}

export type NewDecision = Omit<DecisionRow, 'id' | 'seq' | 'forecast'> & { forecast?: Record<string, unknown> | null };

export interface DecisionFilter {
  domain?: string;
  verdict?: string;
  before?: string;
  since?: Date;
  until?: Date;
  limit: number;
}

/** One domain's sandbox week, summed from Heimdall's per-day counters. */
const DECISION_COLUMNS = `id, seq::text AS seq, decided_at, decided_by, source, domain, to_char(week, 'YYYY-MM-DD') AS week, scorecard, policy,
  rules_version::text AS rules_version, rules_digest, override_digest, verdict, reason_codes, overrides, trace, forecast`;

/** All of the promotion review's SQL. */
@Injectable()
export class PromotionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  activeRuleFile(db: Queryable = this.dataSource): Promise<RuleFileRow | undefined> {
    return sqlOne<RuleFileRow>(db, `SELECT version::text AS version, source, digest, rule_count, created_by, created_at, reason FROM promotion_rule_file ORDER BY promotion_rule_file.version DESC LIMIT 1`);
  }

  async insertRuleFile(m: Queryable, r: Omit<RuleFileRow, 'version'>): Promise<RuleFileRow> {
    return (await sqlOne<RuleFileRow>(
      m,
      `INSERT INTO promotion_rule_file (source, digest, rule_count, created_by, created_at, reason) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING version::text AS version, source, digest, rule_count, created_by, created_at, reason`,
      [r.source, r.digest, r.rule_count, r.created_by, r.created_at, r.reason],
    ))!;
  }

  /** Appends a decision; for a Friday decision already recorded for (domain, week), nothing (undefined). */
  insertDecision(m: Queryable, d: NewDecision): Promise<DecisionRow | undefined> {
    return sqlOne<DecisionRow>(
      m,
      `INSERT INTO promotion_decision (decided_at, decided_by, source, domain, week, scorecard, policy, rules_version, rules_digest, override_digest, verdict, reason_codes, overrides, trace, forecast)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (domain, week) WHERE week IS NOT NULL DO NOTHING
       RETURNING ${DECISION_COLUMNS}`,
      [
        d.decided_at,
        d.decided_by,
        d.source,
        d.domain,
        d.week,
        JSON.stringify(d.scorecard),
        JSON.stringify(d.policy),
        d.rules_version,
        d.rules_digest,
        d.override_digest,
        d.verdict,
        JSON.stringify(d.reason_codes),
        JSON.stringify(d.overrides),
        JSON.stringify(d.trace),
        d.forecast ? JSON.stringify(d.forecast) : null,
      ],
    );
  }

  /** The latest Friday decision (one per domain and week) of `domain`, as `m` sees it: what a Friday approval carries out. */
  latestWeekDecision(m: Queryable, domain: string): Promise<DecisionRow | undefined> {
    return sqlOne<DecisionRow>(m, `SELECT ${DECISION_COLUMNS} FROM promotion_decision d WHERE d.domain = $1 AND d.week IS NOT NULL ORDER BY d.seq DESC LIMIT 1`, [domain]);
  }

  /** Records an override's single use; false when its digest was used before (a replay). */
  async recordOverrideUse(m: Queryable, digest: string, at: Date, by: string, decisionId: string): Promise<boolean> {
    const row = await sqlOne(
      m,
      `INSERT INTO promotion_override_use (signature_digest, used_at, used_by, decision_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (signature_digest) DO NOTHING RETURNING 1 AS ok`,
      [digest, at, by, decisionId],
    );
    return row !== undefined;
  }

  /** Newest first, `limit + 1` rows (toPage). */
  listDecisions(f: DecisionFilter): Promise<DecisionRow[]> {
    return sqlRows<DecisionRow>(
      this.dataSource,
      `SELECT ${DECISION_COLUMNS} FROM promotion_decision
       WHERE ($1::text IS NULL OR domain = $1) AND ($2::text IS NULL OR verdict = $2) AND ($3::bigint IS NULL OR seq < $3)
         AND ($4::timestamptz IS NULL OR decided_at >= $4) AND ($5::timestamptz IS NULL OR decided_at < $5)
       ORDER BY promotion_decision.seq DESC LIMIT $6`,
      [f.domain ?? null, f.verdict ?? null, f.before ?? null, f.since ?? null, f.until ?? null, f.limit + 1],
    );
  }
}
