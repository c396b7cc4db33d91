import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';
import type { GateCheck, GateDecision, GateReasonCode } from './decide/gates.js';
import type { PolicyRow } from './heimdall.repository.js';

export interface RecommendationRow {
  id: string;
  seq: string;
  domain: string;
  confidence: string;
  payload: Record<string, unknown> | null;
  correlation_id: string | null;
  request_digest: string;
  prod_eligible: boolean;
  gate_reason: GateReasonCode;
  reason_codes: GateDecision['reason_codes'];
  gates: GateCheck[];
  created_by: string;
  created_at: Date;
}

/** A recommendation with its domain's current policy and the counters of the window ending on a day. */
export interface EligibilityRow extends PolicyRow {
  id: string;
  confidence: string;
  trials: string;
  successes: string;
}

export interface CheckRow {
  at: Date;
  outcome: string;
  principal: string;
  prod_eligible: boolean;
}

export interface NewRecommendation {
  domain: string;
  confidence: string;
  payload: Record<string, unknown> | null;
  correlationId: string | null;
  digest: string;
  decision: GateDecision;
  createdBy: string;
  createdAt: Date;
  day: string;
  /** The `recommendation.created` event's details. */
  eventDetails: Record<string, unknown>;
}

export interface RecommendationFilter {
  domain?: string;
  prodEligible?: boolean;
  before?: string;
  since?: Date;
  until?: Date;
  limit: number;
}

const RECOMMENDATION_COLUMNS = `id, seq::text AS seq, domain, confidence::text AS confidence, payload, correlation_id, request_digest,
  prod_eligible, gate_reason, reason_codes, gates, created_by, created_at`;

/** Recommendations (append-only) and the checks recorded against them. */
@Injectable()
export class HeimdallRecommendationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Writes the recommendation and its `recommendation.created` event in one statement: neither
   * exists without the other. Undefined when the key was taken (a concurrent same-key request).
   */
  insertWithEvent(r: NewRecommendation): Promise<RecommendationRow | undefined> {
    return sqlOne<RecommendationRow>(
      this.dataSource,
      `WITH rec AS (
         INSERT INTO heimdall_recommendation
           (domain, confidence, payload, correlation_id, request_digest, prod_eligible, gate_reason, reason_codes, gates, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (correlation_id) WHERE correlation_id IS NOT NULL DO NOTHING
         RETURNING *
       ),
       event AS (
         INSERT INTO heimdall_event (at, day, kind, domain, recommendation_id, outcome, principal, details)
         SELECT $11, $12, 'recommendation.created', domain, id, gate_reason, $10, $13 FROM rec
       )
       SELECT ${RECOMMENDATION_COLUMNS} FROM rec`,
      [
        r.domain,
        r.confidence,
        r.payload === null ? null : JSON.stringify(r.payload),
        r.correlationId,
        r.digest,
        r.decision.prod_eligible,
        r.decision.gate_reason,
        r.decision.reason_codes,
        JSON.stringify(r.decision.gates),
        r.createdBy,
        r.createdAt,
        r.day,
        r.eventDetails,
      ],
    );
  }

  byCorrelationId(correlationId: string): Promise<RecommendationRow | undefined> {
    return sqlOne<RecommendationRow>(this.dataSource, `SELECT ${RECOMMENDATION_COLUMNS} FROM heimdall_recommendation WHERE correlation_id = $1`, [correlationId]);
  }

  byId(id: string): Promise<RecommendationRow | undefined> {
    return sqlOne<RecommendationRow>(this.dataSource, `SELECT ${RECOMMENDATION_COLUMNS} FROM heimdall_recommendation WHERE id = $1`, [id]);
  }

  /** The domain of a recommendation (append-only: the answer cannot go stale). */
  async domainOf(id: string): Promise<string | undefined> {
    return (await sqlOne<{ domain: string }>(this.dataSource, `SELECT domain FROM heimdall_recommendation WHERE id = $1`, [id]))?.domain;
  }

  /** The recommendation, its domain's policy and the window's counters ending on `day`, in one read. */
  forEligibility(id: string, day: string): Promise<EligibilityRow | undefined> {
    return sqlOne<EligibilityRow>(
      this.dataSource,
      `SELECT r.id, r.confidence::text AS confidence, p.domain, p.min_confidence::text AS min_confidence, p.min_trials,
              p.min_success_rate::text AS min_success_rate, p.prod_use_enabled, p.window_days, p.updated_by, p.updated_at,
              coalesce(sum(d.trials), 0)::text AS trials, coalesce(sum(d.successes), 0)::text AS successes
       FROM heimdall_recommendation r
       JOIN heimdall_policy p ON p.domain = r.domain
       LEFT JOIN heimdall_scorecard_day d ON d.domain = p.domain AND d.day BETWEEN $2::date - (p.window_days - 1) AND $2::date
       WHERE r.id = $1
       GROUP BY r.id, p.domain`,
      [id, day],
    );
  }

  /** Newest first, `limit + 1` rows (the extra one says whether an older page exists). */
  page(f: RecommendationFilter): Promise<RecommendationRow[]> {
    return sqlRows<RecommendationRow>(
      this.dataSource,
      `SELECT ${RECOMMENDATION_COLUMNS} FROM heimdall_recommendation
       WHERE ($1::text IS NULL OR domain = $1) AND ($2::boolean IS NULL OR prod_eligible = $2) AND ($3::bigint IS NULL OR seq < $3)
         AND ($4::timestamptz IS NULL OR created_at >= $4) AND ($5::timestamptz IS NULL OR created_at < $5)
       ORDER BY seq DESC LIMIT $6`,
      [f.domain ?? null, f.prodEligible ?? null, f.before ?? null, f.since ?? null, f.until ?? null, f.limit + 1],
    );
  }

  /** Every require-prod-eligible check of a recommendation, oldest first. */
  checks(id: string): Promise<CheckRow[]> {
    return sqlRows<CheckRow>(
      this.dataSource,
      `SELECT at, outcome, principal, (details->>'prod_eligible')::boolean AS prod_eligible FROM heimdall_event
       WHERE recommendation_id = $1 AND kind = 'recommendation.checked' ORDER BY id`,
      [id],
    );
  }
}
