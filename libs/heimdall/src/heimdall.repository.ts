import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlOne, sqlRows, utcDay } from '#platform';
import { POLICY_DEFAULTS } from './heimdall.constants.js';

/** Anything that runs SQL: the data source, or a transaction's manager. */
export type Queryable = Pick<EntityManager, 'query'>;

export interface PolicyRow {
  domain: string;
  /** Canonical decimal text. */
  min_confidence: string;
  min_trials: number;
  min_success_rate: string;
  prod_use_enabled: boolean;
  window_days: number;
  updated_by: string;
  updated_at: Date;
}

/** A policy with the counters of its scorecard window ending on a given day. */
export interface ScorecardRow extends PolicyRow {
  trials: string;
  successes: string;
  confidence_sum: string;
  today_trials: string;
  today_successes: string;
}

export interface PolicyFields {
  min_confidence?: string;
  min_trials?: number;
  min_success_rate?: string;
  prod_use_enabled?: boolean;
  window_days?: number;
}

export interface HeimdallEvent {
  kind: string;
  domain: string;
  recommendationId?: string | null;
  outcome?: string | null;
  principal: string;
  details: Record<string, unknown>;
}

export interface ClosedDayRow {
  day: string;
  domain: string;
  outcome: string;
  details: Record<string, unknown>;
}

export const POLICY_COLUMNS = `domain, min_confidence::text AS min_confidence, min_trials, min_success_rate::text AS min_success_rate,
  prod_use_enabled, window_days, updated_by, updated_at`;

/** A domain's sandbox trials summed over a range of UTC days, with each day's counts. */
export interface TrialsOverDaysRow {
  domain: string;
  trials: string;
  successes: string;
  confidence_sum: string;
  /** day -> {trials, successes, confidence_sum} for the days with trials */
  days: Record<string, { trials: number; successes: number; confidence_sum: number }>;
}

/** Policies, scorecard windows and the event log: the lever's SQL outside trials and recommendations. */
@Injectable()
export class HeimdallRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  policyCounts(): Promise<{ total: number; enabled: number } | undefined> {
    return sqlOne(this.dataSource, `SELECT count(*)::int AS total, (count(*) FILTER (WHERE prod_use_enabled))::int AS enabled FROM heimdall_policy`);
  }

  listPolicies(): Promise<PolicyRow[]> {
    return sqlRows<PolicyRow>(this.dataSource, `SELECT ${POLICY_COLUMNS} FROM heimdall_policy ORDER BY domain`);
  }

  findPolicy(manager: Queryable, domain: string): Promise<PolicyRow | undefined> {
    return sqlOne<PolicyRow>(manager, `SELECT ${POLICY_COLUMNS} FROM heimdall_policy WHERE domain = $1`, [domain]);
  }

  /** Changes the given fields, keeps the others. */
  async updatePolicy(manager: Queryable, domain: string, f: PolicyFields, by: string, at: Date): Promise<PolicyRow> {
    const row = await sqlOne<PolicyRow>(
      manager,
      `UPDATE heimdall_policy SET
         min_confidence = coalesce($2::numeric, min_confidence), min_trials = coalesce($3::int, min_trials),
         min_success_rate = coalesce($4::numeric, min_success_rate), prod_use_enabled = coalesce($5::boolean, prod_use_enabled),
         window_days = coalesce($6::int, window_days), updated_by = $7, updated_at = $8, version = version + 1
       WHERE domain = $1 RETURNING ${POLICY_COLUMNS}`,
      [domain, f.min_confidence ?? null, f.min_trials ?? null, f.min_success_rate ?? null, f.prod_use_enabled ?? null, f.window_days ?? null, by, at],
    );
    return row!;
  }

  /** Creates a policy; the three thresholds are required, the rest default (POLICY_DEFAULTS). */
  async insertPolicy(manager: Queryable, domain: string, f: Required<Pick<PolicyFields, 'min_confidence' | 'min_trials' | 'min_success_rate'>> & PolicyFields, by: string, at: Date): Promise<PolicyRow> {
    const row = await sqlOne<PolicyRow>(
      manager,
      `INSERT INTO heimdall_policy (domain, min_confidence, min_trials, min_success_rate, prod_use_enabled, window_days, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${POLICY_COLUMNS}`,
      [domain, f.min_confidence, f.min_trials, f.min_success_rate, f.prod_use_enabled ?? POLICY_DEFAULTS.prod_use_enabled, f.window_days ?? POLICY_DEFAULTS.window_days, by, at],
    );
    return row!;
  }

  /** Each policy (or one) with the sums of its window of `window_days` UTC days ending on `day`, and that day alone. */
  windowRows(manager: Queryable, day: string, domain?: string): Promise<ScorecardRow[]> {
    return sqlRows<ScorecardRow>(
      manager,
      `SELECT p.domain, p.min_confidence::text AS min_confidence, p.min_trials, p.min_success_rate::text AS min_success_rate,
              p.prod_use_enabled, p.window_days, p.updated_by, p.updated_at,
              coalesce(sum(d.trials), 0)::text AS trials, coalesce(sum(d.successes), 0)::text AS successes,
              coalesce(sum(d.confidence_sum), 0)::text AS confidence_sum,
              coalesce(sum(d.trials) FILTER (WHERE d.day = $1::date), 0)::text AS today_trials,
              coalesce(sum(d.successes) FILTER (WHERE d.day = $1::date), 0)::text AS today_successes
       FROM heimdall_policy p
       LEFT JOIN heimdall_scorecard_day d ON d.domain = p.domain AND d.day BETWEEN $1::date - (p.window_days - 1) AND $1::date
       WHERE ($2::text IS NULL OR p.domain = $2)
       GROUP BY p.domain ORDER BY p.domain`,
      [day, domain ?? null],
    );
  }

  async insertEvent(manager: Queryable, at: Date, e: HeimdallEvent): Promise<void> {
    await manager.query(
      `INSERT INTO heimdall_event (at, day, kind, domain, recommendation_id, outcome, principal, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [at, utcDay(at), e.kind, e.domain, e.recommendationId ?? null, e.outcome ?? null, e.principal, e.details],
    );
  }

  /** One `scorecard.closed` event per domain and day: false when the day was closed before. */
  async insertClosedDay(manager: Queryable, at: Date, day: string, domain: string, outcome: string, principal: string, details: Record<string, unknown>): Promise<boolean> {
    const rows = await sqlRows(
      manager,
      `INSERT INTO heimdall_event (at, day, kind, domain, outcome, principal, details)
       VALUES ($1, $2, 'scorecard.closed', $3, $4, $5, $6)
       ON CONFLICT (domain, day) WHERE kind = 'scorecard.closed' DO NOTHING RETURNING id`,
      [at, day, domain, outcome, principal, details],
    );
    return rows.length > 0;
  }

  closedDays(domain: string | undefined, limit: number): Promise<ClosedDayRow[]> {
    return sqlRows<ClosedDayRow>(
      this.dataSource,
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, domain, outcome, details FROM heimdall_event
       WHERE kind = 'scorecard.closed' AND ($1::text IS NULL OR domain = $1) ORDER BY day DESC, domain LIMIT $2`,
      [domain ?? null, limit],
    );
  }

  /** Every domain's trials over [fromDay, toDay] from the per-day counters: one read for all domains. */
  trialsOverDays(manager: Queryable, fromDay: string, toDay: string): Promise<TrialsOverDaysRow[]> {
    return sqlRows<TrialsOverDaysRow>(
      manager,
      `SELECT domain, sum(trials)::text AS trials, sum(successes)::text AS successes, sum(confidence_sum)::text AS confidence_sum,
              jsonb_object_agg(to_char(day, 'YYYY-MM-DD'), jsonb_build_object('trials', trials, 'successes', successes, 'confidence_sum', confidence_sum)) AS days
       FROM heimdall_scorecard_day
       WHERE day BETWEEN $1::date AND $2::date AND trials > 0
       GROUP BY domain`,
      [fromDay, toDay],
    );
  }
}
