import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlRows } from '#platform';

export interface PromotionDomainWeekRow {
  domain: string | null;
  decisions: string;
  promote: string;
  pilot: string;
  demote: string;
  no_go: string;
  borderline: string;
  overrides_used: string;
  latest_verdict: string;
  latest_at: Date;
}

export interface PromotionReasonRow {
  domain: string | null;
  reason_code: string;
  count: string;
}

export interface PromotionForecastRow {
  domain: string;
  week: string;
  verdict: string;
  forecast: {
    forecast: { projections: Array<{ cycle: number; roi: number }>; confidence: number };
    reason_codes: string[];
    collapse: { risk: string };
  };
}

export interface PromotionOverrideRow {
  decided_at: Date;
  domain: string | null;
  source: string;
  verdict: string;
  decided_by: string;
  reason_codes: string[];
  override_digest: string;
}

/**
 * The promotion verdicts' weekly aggregates for the review: [from, to) of promotion_decision by
 * decided_at, read through ix_promotion_decision_decided_at. A decision without a domain (an
 * on-demand evaluation that named none) is grouped under a null domain.
 */
@Injectable()
export class PromotionReviewSectionRepository {
  /** Overrides listed one by one at most (they are rare: each signed override is single-use). */
  static readonly MAX_OVERRIDES = 50;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Per domain: decisions by verdict, overrides used, and the newest verdict of the week. */
  domains(from: Date, to: Date): Promise<PromotionDomainWeekRow[]> {
    return sqlRows<PromotionDomainWeekRow>(
      this.dataSource,
      `SELECT domain,
              count(*)::text AS decisions,
              count(*) FILTER (WHERE verdict = 'promote')::text AS promote,
              count(*) FILTER (WHERE verdict = 'pilot')::text AS pilot,
              count(*) FILTER (WHERE verdict = 'demote')::text AS demote,
              count(*) FILTER (WHERE verdict = 'no_go')::text AS no_go,
              count(*) FILTER (WHERE verdict = 'borderline')::text AS borderline,
              count(*) FILTER (WHERE override_digest IS NOT NULL)::text AS overrides_used,
              (array_agg(verdict ORDER BY seq DESC))[1] AS latest_verdict,
              max(decided_at) AS latest_at
         FROM promotion_decision
        WHERE decided_at >= $1 AND decided_at < $2
        GROUP BY domain
        ORDER BY domain NULLS LAST`,
      [from, to],
    );
  }

  /** Reason codes per domain, most frequent first. */
  reasonCodes(from: Date, to: Date): Promise<PromotionReasonRow[]> {
    return sqlRows<PromotionReasonRow>(
      this.dataSource,
      `SELECT d.domain, rc AS reason_code, count(*)::text AS count
         FROM promotion_decision d CROSS JOIN LATERAL jsonb_array_elements_text(d.reason_codes) AS rc
        WHERE d.decided_at >= $1 AND d.decided_at < $2
        GROUP BY d.domain, rc
        ORDER BY d.domain NULLS LAST, count(*) DESC, rc`,
      [from, to],
    );
  }

  /** Each domain's newest forecast of the week (the foresight gate's record of a Friday promote). */
  forecasts(from: Date, to: Date): Promise<PromotionForecastRow[]> {
    return sqlRows<PromotionForecastRow>(
      this.dataSource,
      `SELECT DISTINCT ON (domain) domain, to_char(week, 'YYYY-MM-DD') AS week, verdict, forecast
         FROM promotion_decision
        WHERE decided_at >= $1 AND decided_at < $2 AND forecast IS NOT NULL
        ORDER BY domain, seq DESC`,
      [from, to],
    );
  }

  /** The decisions of the week that used a signed override, oldest first. */
  overrides(from: Date, to: Date): Promise<PromotionOverrideRow[]> {
    return sqlRows<PromotionOverrideRow>(
      this.dataSource,
      `SELECT decided_at, domain, source, verdict, decided_by, reason_codes, override_digest
         FROM promotion_decision
        WHERE decided_at >= $1 AND decided_at < $2 AND override_digest IS NOT NULL
        ORDER BY decided_at, seq
        LIMIT $3`,
      [from, to, PromotionReviewSectionRepository.MAX_OVERRIDES],
    );
  }
}
