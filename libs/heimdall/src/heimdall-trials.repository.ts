import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlOne } from '#platform';

export interface TrialRow {
  id: string;
  domain: string;
  day: string;
  success: boolean;
  confidence: string;
  recommendation_id: string | null;
  correlation_id: string | null;
  request_digest: string;
  recorded_by: string;
  recorded_at: Date;
}

export interface NewTrial {
  day: string;
  domain: string;
  success: boolean;
  /** Canonical decimal text. */
  confidence: string;
  recommendationId: string | null;
  correlationId: string | null;
  digest: string;
  recordedBy: string;
  recordedAt: Date;
}

const TRIAL_COLUMNS = `id, domain, to_char(day, 'YYYY-MM-DD') AS day, success, confidence::text AS confidence, recommendation_id,
  correlation_id, request_digest, recorded_by, recorded_at`;

/** Sandbox trials and the per-day counters they feed. */
@Injectable()
export class HeimdallTrialsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inserts the trial and bumps its day's counters in one statement (so one transaction): the
   * counter upsert adds to the row in place, so concurrent trials queue on the row lock only for
   * this statement and its commit, and lose no count. Undefined when nothing was written: the key
   * was used before, or the domain has no policy.
   */
  insertCounted(t: NewTrial): Promise<TrialRow | undefined> {
    return sqlOne<TrialRow>(
      this.dataSource,
      `WITH policy AS (SELECT domain FROM heimdall_policy WHERE domain = $2),
       trial AS (
         INSERT INTO heimdall_trial (day, domain, success, confidence, recommendation_id, correlation_id, request_digest, recorded_by, recorded_at)
         SELECT $1, policy.domain, $3, $4, $5, $6, $7, $8, $9 FROM policy
         ON CONFLICT (correlation_id) WHERE correlation_id IS NOT NULL DO NOTHING
         RETURNING *
       ),
       counted AS (
         INSERT INTO heimdall_scorecard_day AS s (day, domain, trials, successes, confidence_sum, updated_at)
         SELECT day, domain, 1, CASE WHEN success THEN 1 ELSE 0 END, confidence, recorded_at FROM trial
         ON CONFLICT (day, domain) DO UPDATE SET
           trials = s.trials + 1, successes = s.successes + EXCLUDED.successes,
           confidence_sum = s.confidence_sum + EXCLUDED.confidence_sum, updated_at = EXCLUDED.updated_at
         RETURNING 1
       )
       SELECT ${TRIAL_COLUMNS} FROM trial`,
      [t.day, t.domain, t.success, t.confidence, t.recommendationId, t.correlationId, t.digest, t.recordedBy, t.recordedAt],
    );
  }

  byCorrelationId(correlationId: string): Promise<TrialRow | undefined> {
    return sqlOne<TrialRow>(this.dataSource, `SELECT ${TRIAL_COLUMNS} FROM heimdall_trial WHERE correlation_id = $1`, [correlationId]);
  }
}
