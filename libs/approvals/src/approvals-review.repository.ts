import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlOne } from '#platform';

export interface ApprovalsWeekRow {
  requested: string;
  approved: string;
  rejected: string;
  cancelled: string;
  expired: string;
  median_seconds: number | null;
  p95_seconds: number | null;
  pending_now: string;
  expiring_24h: string;
}

/**
 * The approvals' weekly aggregates for the review, one statement: requested in the week
 * (ix_approval_request_created_at), decided in the week with median and p95 time to decision
 * (percentile_cont over ix_approval_request_decided_at), expired in the week (a pending request
 * past its expiry reads expired, as everywhere), and the queue as of `now`.
 */
@Injectable()
export class ApprovalsReviewRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async week(from: Date, to: Date, now: Date): Promise<ApprovalsWeekRow> {
    const row = await sqlOne<ApprovalsWeekRow>(
      this.dataSource,
      `WITH decided AS (
         SELECT status, extract(epoch FROM decided_at - created_at)::float8 AS secs
           FROM approval_request
          WHERE decided_at >= $1 AND decided_at < $2 AND status IN ('approved', 'rejected', 'cancelled')
       )
       SELECT (SELECT count(*) FROM approval_request WHERE created_at >= $1 AND created_at < $2)::text AS requested,
              (SELECT count(*) FROM decided WHERE status = 'approved')::text AS approved,
              (SELECT count(*) FROM decided WHERE status = 'rejected')::text AS rejected,
              (SELECT count(*) FROM decided WHERE status = 'cancelled')::text AS cancelled,
              (SELECT count(*) FROM approval_request
                WHERE expires_at >= $1 AND expires_at < least($2, $3) AND status IN ('expired', 'pending'))::text AS expired,
              (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) FROM decided WHERE status <> 'cancelled') AS median_seconds,
              (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY secs) FROM decided WHERE status <> 'cancelled') AS p95_seconds,
              (SELECT count(*) FROM approval_request WHERE status = 'pending' AND expires_at > $3)::text AS pending_now,
              (SELECT count(*) FROM approval_request WHERE status = 'pending' AND expires_at > $3 AND expires_at <= $3 + interval '24 hours')::text AS expiring_24h`,
      [from, to, now],
    );
    return row!;
  }
}
