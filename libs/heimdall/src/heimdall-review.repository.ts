import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlRows } from '#platform';

export interface ScorecardDayRow {
  day: string;
  domain: string;
  trials: string;
  successes: string;
  success_rate: string | null;
  mean_confidence: string | null;
}

export interface DomainWeekRow {
  domain: string;
  trials: string;
  successes: string;
  success_rate: string | null;
  mean_confidence: string | null;
  min_trials: number;
  min_success_rate: string;
  min_confidence: string;
  prod_use_enabled: boolean;
  recommendations: string;
  eligible: string;
}

/**
 * Heimdall's weekly aggregates for the review: the daily scorecards (heimdall_scorecard_day, kept
 * per trial, read by its primary key) and the week's recommendations (ix_heimdall_recommendation_created_at).
 */
@Injectable()
export class HeimdallReviewRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  scorecardDays(fromDay: string, toDay: string): Promise<ScorecardDayRow[]> {
    return sqlRows<ScorecardDayRow>(
      this.dataSource,
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, domain, trials::text, successes::text,
              round(successes::numeric / nullif(trials, 0), 4)::text AS success_rate,
              round(confidence_sum / nullif(trials, 0), 4)::text AS mean_confidence
         FROM heimdall_scorecard_day WHERE day >= $1::date AND day < $2::date ORDER BY domain, day`,
      [fromDay, toDay],
    );
  }

  /** Per policy domain: the week's trials against the gates, and the week's recommendations (how many were prod-eligible). */
  domainWeek(fromDay: string, toDay: string, from: Date, to: Date): Promise<DomainWeekRow[]> {
    return sqlRows<DomainWeekRow>(
      this.dataSource,
      `SELECT p.domain, coalesce(s.trials, 0)::text AS trials, coalesce(s.successes, 0)::text AS successes,
              round(s.successes::numeric / nullif(s.trials, 0), 4)::text AS success_rate,
              round(s.confidence_sum / nullif(s.trials, 0), 4)::text AS mean_confidence,
              p.min_trials, trim_scale(p.min_success_rate)::text AS min_success_rate, trim_scale(p.min_confidence)::text AS min_confidence,
              p.prod_use_enabled, coalesce(r.n, 0)::text AS recommendations, coalesce(r.eligible, 0)::text AS eligible
         FROM heimdall_policy p
         LEFT JOIN (SELECT domain, sum(trials) AS trials, sum(successes) AS successes, sum(confidence_sum) AS confidence_sum
                      FROM heimdall_scorecard_day WHERE day >= $1::date AND day < $2::date GROUP BY domain) s ON s.domain = p.domain
         LEFT JOIN (SELECT domain, count(*) AS n, count(*) FILTER (WHERE prod_eligible) AS eligible
                      FROM heimdall_recommendation WHERE created_at >= $3 AND created_at < $4 GROUP BY domain) r ON r.domain = p.domain
        ORDER BY p.domain`,
      [fromDay, toDay, from, to],
    );
  }
}
