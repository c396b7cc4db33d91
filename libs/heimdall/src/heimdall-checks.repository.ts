import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';
import type { GateCheck } from './decide/gates.js';

/** The two events that are a gate decision on a recommendation: at creation, and every re-check. */
export const CHECK_KINDS = ['recommendation.created', 'recommendation.checked'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** One Heimdall check as recorded (heimdall_event), with its recommendation's confidence and key. */
export interface HeimdallCheckRow {
  id: string;
  at: Date;
  kind: CheckKind;
  domain: string;
  recommendation_id: string;
  outcome: string;
  principal: string;
  prod_eligible: boolean;
  reason_codes: string[] | null;
  gates: GateCheck[] | null;
  window: { trials: number; successes: number } | null;
  confidence: string | null;
  correlation_id: string | null;
  actor: string | null;
}

export interface CheckFilter {
  domain?: string;
  outcome?: string;
  prodEligible?: boolean;
  recommendationId?: string;
  correlationId?: string;
  kind?: CheckKind;
  before?: string;
  since?: Date;
  until?: Date;
  /** Rows to fetch (the page size + 1). */
  limit: number;
}

/**
 * The correlation id of a check: the caller's key recorded on a re-check (the gate passes its
 * intent's), else, for the check at creation, the recommendation's own key.
 */
const CHECK_COLUMNS = `e.id::text AS id, e.at, e.kind, e.domain, e.recommendation_id, e.outcome, e.principal,
  coalesce((e.details->>'prod_eligible')::boolean, false) AS prod_eligible, e.details->'reason_codes' AS reason_codes,
  e.details->'gates' AS gates, e.details->'window' AS window, r.confidence::text AS confidence,
  CASE WHEN e.kind = 'recommendation.created' THEN r.correlation_id ELSE e.details->>'correlation_id' END AS correlation_id,
  e.details->>'actor' AS actor`;

/** Reads of Heimdall's checks (the recommendation events); they are written by the recommendation and check paths. */
@Injectable()
export class HeimdallChecksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Newest first by event id. A domain or recommendation filter walks its (column, id) index
   * backwards from the cursor; a correlation id is matched on the rows walked (no index of its own).
   */
  page(f: CheckFilter): Promise<HeimdallCheckRow[]> {
    return sqlRows<HeimdallCheckRow>(
      this.dataSource,
      `SELECT ${CHECK_COLUMNS}
         FROM heimdall_event e LEFT JOIN heimdall_recommendation r ON r.id = e.recommendation_id
        WHERE e.kind = ANY($1::text[])
          AND ($2::text IS NULL OR e.domain = $2)
          AND ($3::text IS NULL OR e.outcome = $3)
          AND ($4::boolean IS NULL OR coalesce((e.details->>'prod_eligible')::boolean, false) = $4)
          AND ($5::uuid IS NULL OR e.recommendation_id = $5)
          AND ($6::text IS NULL OR (CASE WHEN e.kind = 'recommendation.created' THEN r.correlation_id ELSE e.details->>'correlation_id' END) = $6)
          AND ($7::bigint IS NULL OR e.id < $7)
          AND ($8::timestamptz IS NULL OR e.at >= $8)
          AND ($9::timestamptz IS NULL OR e.at < $9)
        ORDER BY e.id DESC LIMIT $10`,
      [
        f.kind ? [f.kind] : [...CHECK_KINDS],
        f.domain ?? null,
        f.outcome ?? null,
        f.prodEligible ?? null,
        f.recommendationId ?? null,
        f.correlationId ?? null,
        f.before ?? null,
        f.since ?? null,
        f.until ?? null,
        f.limit,
      ],
    );
  }

  byId(id: string): Promise<HeimdallCheckRow | undefined> {
    return sqlOne<HeimdallCheckRow>(
      this.dataSource,
      `SELECT ${CHECK_COLUMNS} FROM heimdall_event e LEFT JOIN heimdall_recommendation r ON r.id = e.recommendation_id
        WHERE e.id = $1::bigint AND e.kind = ANY($2::text[])`,
      [id, [...CHECK_KINDS]],
    );
  }
}
