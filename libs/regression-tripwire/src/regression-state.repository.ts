import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';
import type { DetectorKind, Verdict } from './decide/detector.js';
import type { ActionStatus, RegressionAction, RegressionEventType, RegressionStatus } from './regression-tripwire.constants.js';

/**
 * One row of `regression_state`: the latest verdict per domain+metric, whether its trigger's action
 * has fired, and the baseline reset marker (events with id <= reset_event_id no longer count).
 */
export interface RegressionStateRow {
  domain: string;
  metric: string;
  status: RegressionStatus;
  kind: DetectorKind | null;
  reason: string | null;
  detail: string | null;
  baseline: number | null;
  current: number | null;
  drop: number | null;
  p_value: number | null;
  n_baseline: number;
  n_current: number;
  last_evaluated_at: Date | null;
  evaluations: string;
  triggered_at: Date | null;
  trigger_count: number;
  action: RegressionAction | null;
  action_status: ActionStatus;
  action_claimed_at: Date | null;
  action_at: Date | null;
  action_detail: string | null;
  reset_event_id: string;
  reset_at: Date | null;
  reset_by: string | null;
  reset_reason: string | null;
}

/** A policy with its state, which is absent (all null) before the first evaluation. */
export type PolicyStateRow = { [K in keyof RegressionStateRow]: RegressionStateRow[K] | null } & {
  domain: string;
  metric: string;
  enabled: boolean;
  policy_action: RegressionAction;
  target_engine: string;
};

/** One row of `regression_event` (append-only): what the tripwire did. */
export interface RegressionEventRow {
  id: string;
  at: Date;
  domain: string;
  metric: string;
  type: RegressionEventType;
  status: string | null;
  action: string | null;
  principal: string;
  details: Record<string, unknown>;
}

export interface NewRegressionEvent {
  at: Date;
  domain: string;
  metric: string;
  type: RegressionEventType;
  principal: string;
  status?: string | null;
  action?: string | null;
  details?: Record<string, unknown>;
}

/** A verdict as the state row stores it, and how it changes the action columns. */
export interface VerdictWrite {
  verdict: Verdict;
  kind: DetectorKind;
  now: Date;
  /** This evaluation enters `triggered`: a new trigger, its action pending. */
  entering: boolean;
  /** A failed or stale action is claimed again. */
  retry: boolean;
  triggerCount: number;
  action: RegressionAction;
}

export interface EventFilter {
  domain?: string;
  metric?: string;
  type?: RegressionEventType;
  /** The engine a trigger or its action named (details.target_engine). */
  target_engine?: string;
  since?: Date;
  until?: Date;
  before?: string;
}

/** All SQL on `regression_state` and `regression_event`. */
@Injectable()
export class RegressionStateRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates the state row if missing, then locks it: evaluations and resets of one tripwire serialize here. */
  async lock(m: EntityManager, domain: string, metric: string, now: Date): Promise<RegressionStateRow> {
    await m.query(`INSERT INTO regression_state (domain, metric, updated_at) VALUES ($1, $2, $3) ON CONFLICT (domain, metric) DO NOTHING`, [domain, metric, now]);
    return (await sqlOne<RegressionStateRow>(m, `SELECT * FROM regression_state WHERE domain = $1 AND metric = $2 FOR UPDATE`, [domain, metric]))!;
  }

  async get(m: EntityManager, domain: string, metric: string): Promise<RegressionStateRow> {
    return (await sqlOne<RegressionStateRow>(m, `SELECT * FROM regression_state WHERE domain = $1 AND metric = $2`, [domain, metric]))!;
  }

  async saveVerdict(m: EntityManager, domain: string, metric: string, w: VerdictWrite): Promise<RegressionStateRow> {
    const v = w.verdict;
    const row = await sqlOne<RegressionStateRow>(
      m,
      `UPDATE regression_state SET status = $3, kind = $4, reason = $5, detail = $6, baseline = $7, current = $8, drop = $9, p_value = $10,
         n_baseline = $11, n_current = $12, last_evaluated_at = $13, evaluations = evaluations + 1, updated_at = $13,
         triggered_at = CASE WHEN $14 THEN $13 ELSE triggered_at END,
         trigger_count = $15,
         action = CASE WHEN $14 THEN $16 ELSE action END,
         action_status = CASE WHEN $14 OR $17 THEN 'pending' ELSE action_status END,
         action_claimed_at = CASE WHEN $14 OR $17 THEN $13 ELSE action_claimed_at END,
         action_detail = CASE WHEN $14 THEN NULL ELSE action_detail END,
         action_at = CASE WHEN $14 THEN NULL ELSE action_at END
       WHERE domain = $1 AND metric = $2
       RETURNING *`,
      [domain, metric, v.status, w.kind, v.reason, v.detail, v.baseline, v.current, v.drop, v.p_value, v.n_baseline, v.n_current, w.now, w.entering, w.triggerCount, w.action, w.retry],
    );
    return row!;
  }

  /** Records the outcome of trigger number `triggerCount`'s action, unless a later trigger or outcome came first (then undefined). */
  recordActionOutcome(m: EntityManager, domain: string, metric: string, triggerCount: number, status: 'done' | 'failed', at: Date, detail: string): Promise<RegressionStateRow | undefined> {
    return sqlOne<RegressionStateRow>(
      m,
      `UPDATE regression_state SET action_status = $3, action_at = $4, action_detail = $5, updated_at = $4
       WHERE domain = $1 AND metric = $2 AND trigger_count = $6 AND action_status IN ('pending', 'failed')
       RETURNING *`,
      [domain, metric, status, at, detail, triggerCount],
    );
  }

  /** Moves the reset marker forward to `markerId` (never back); returns the previous marker. */
  async markReset(m: EntityManager, domain: string, metric: string, markerId: string, at: Date, by: string, reason: string): Promise<string> {
    const before = await this.lock(m, domain, metric, at);
    await m.query(
      `UPDATE regression_state SET reset_event_id = GREATEST(reset_event_id, $3::bigint), reset_at = $4, reset_by = $5, reset_reason = $6, updated_at = $4
       WHERE domain = $1 AND metric = $2`,
      [domain, metric, markerId, at, by, reason],
    );
    return before.reset_event_id;
  }

  /** Every policy (or those of a domain / metric) with its state. */
  list(domain: string | null, metric: string | null): Promise<PolicyStateRow[]> {
    return sqlRows<PolicyStateRow>(
      this.dataSource,
      `SELECT s.*, p.domain, p.metric, p.enabled, p.action AS policy_action, p.target_engine
       FROM regression_policy p LEFT JOIN regression_state s USING (domain, metric)
       WHERE ($1::text IS NULL OR p.domain = $1) AND ($2::text IS NULL OR p.metric = $2)
       ORDER BY p.domain, p.metric`,
      [domain, metric],
    );
  }

  async insertEvent(m: EntityManager, e: NewRegressionEvent): Promise<void> {
    await m.query(
      `INSERT INTO regression_event (at, domain, metric, type, status, action, principal, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [e.at, e.domain, e.metric, e.type, e.status ?? null, e.action ?? null, e.principal, e.details ?? {}],
    );
  }

  /** Events newest first, older than `before` (an id), at most `limit` rows. */
  events(f: EventFilter, limit: number): Promise<RegressionEventRow[]> {
    return sqlRows<RegressionEventRow>(
      this.dataSource,
      `SELECT id, at, domain, metric, type, status, action, principal, details FROM regression_event
       WHERE ($1::text IS NULL OR domain = $1) AND ($2::text IS NULL OR metric = $2) AND ($3::text IS NULL OR type = $3)
         AND ($4::timestamptz IS NULL OR at >= $4) AND ($5::timestamptz IS NULL OR at < $5) AND ($6::bigint IS NULL OR id < $6)
         AND ($8::text IS NULL OR details->>'target_engine' = $8)
       ORDER BY id DESC LIMIT $7`,
      [f.domain ?? null, f.metric ?? null, f.type ?? null, f.since ?? null, f.until ?? null, f.before ?? null, limit, f.target_engine ?? null],
    );
  }

  event(id: string): Promise<RegressionEventRow | undefined> {
    return sqlOne<RegressionEventRow>(this.dataSource, `SELECT id, at, domain, metric, type, status, action, principal, details FROM regression_event WHERE id = $1::bigint`, [id]);
  }
}
