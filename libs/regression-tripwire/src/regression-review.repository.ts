import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlRows } from '#platform';

export interface EventCountRow {
  domain: string;
  metric: string;
  type: string;
  action: string | null;
  count: string;
}

export interface TimelineRow {
  at: Date;
  domain: string;
  metric: string;
  type: string;
  action: string | null;
  principal: string;
}

export interface CurrentStateRow {
  domain: string;
  metric: string;
  status: string;
  action: string | null;
  action_status: string;
  triggered_at: Date | null;
  trigger_count: number;
}

/** The tripwire's weekly aggregates for the review: regression_event read by ix_regression_event_at, and the state rows. */
@Injectable()
export class RegressionReviewRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  eventCounts(from: Date, to: Date): Promise<EventCountRow[]> {
    return sqlRows<EventCountRow>(
      this.dataSource,
      `SELECT domain, metric, type, action, count(*)::text AS count
         FROM regression_event WHERE at >= $1 AND at < $2 AND type <> 'status_changed'
        GROUP BY domain, metric, type, action ORDER BY domain, metric, type, action`,
      [from, to],
    );
  }

  /** Fires, actions and resets of the week, oldest first (status changes are left out: they are the noise between). */
  timeline(from: Date, to: Date, limit = 200): Promise<TimelineRow[]> {
    return sqlRows<TimelineRow>(
      this.dataSource,
      `SELECT at, domain, metric, type, action, principal
         FROM regression_event WHERE at >= $1 AND at < $2 AND type <> 'status_changed'
        ORDER BY at, id LIMIT $3`,
      [from, to, limit],
    );
  }

  currentStates(): Promise<CurrentStateRow[]> {
    return sqlRows<CurrentStateRow>(
      this.dataSource,
      `SELECT domain, metric, status, action, action_status, triggered_at, trigger_count FROM regression_state ORDER BY domain, metric`,
    );
  }
}
