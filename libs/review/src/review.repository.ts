import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';
import type { WeeklyReport } from './decide/report.js';

export interface ReviewRow {
  week: string;
  week_start: Date;
  generated_at: Date;
  generated_by: string;
  digest: string;
  report: WeeklyReport;
}

export type ReviewSummaryRow = Omit<ReviewRow, 'report'> & { attention: number };

const SUMMARY = `week, week_start, generated_at, generated_by, digest, jsonb_array_length(report->'needs_attention') AS attention`;

/** review_report: one row per ISO week, written once (insert ... on conflict do nothing; append-only trigger). */
@Injectable()
export class ReviewRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts the week's report unless one exists; true when this call wrote it. */
  async insertOnce(manager: Pick<EntityManager, 'query'>, row: Omit<ReviewRow, 'week_start'> & { week_start: Date }): Promise<boolean> {
    const inserted = await sqlRows(
      manager,
      `INSERT INTO review_report (week, week_start, generated_at, generated_by, report, digest) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (week) DO NOTHING RETURNING week`,
      [row.week, row.week_start, row.generated_at, row.generated_by, row.report, row.digest],
    );
    return inserted.length === 1;
  }

  get(week: string): Promise<ReviewRow | undefined> {
    return sqlOne<ReviewRow>(this.dataSource, `SELECT week, week_start, generated_at, generated_by, digest, report FROM review_report WHERE week = $1`, [week]);
  }

  exists(week: string): Promise<boolean> {
    return sqlOne(this.dataSource, `SELECT 1 FROM review_report WHERE week = $1`, [week]).then((r) => r !== undefined);
  }

  latest(): Promise<ReviewRow | undefined> {
    return sqlOne<ReviewRow>(this.dataSource, `SELECT week, week_start, generated_at, generated_by, digest, report FROM review_report ORDER BY week_start DESC LIMIT 1`);
  }

  /** Newest week first; `before` is the previous page's last week_start in epoch seconds. Fetches limit + 1. */
  list(q: { before?: string; since?: Date; until?: Date; limit: number }): Promise<ReviewSummaryRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.before) where.push(`week_start < to_timestamp($${params.push(Number(q.before))})`);
    if (q.since) where.push(`week_start >= $${params.push(q.since)}`);
    if (q.until) where.push(`week_start < $${params.push(q.until)}`);
    params.push(q.limit + 1);
    return sqlRows<ReviewSummaryRow>(
      this.dataSource,
      `SELECT ${SUMMARY} FROM review_report ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY week_start DESC LIMIT $${params.length}`,
      params,
    );
  }
}
