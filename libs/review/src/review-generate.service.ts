import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditChainService, Clock, JobRunner, OutboxService, ReviewSectionRegistry } from '#platform';
import { assembleReport, reportDigest, summaryText, type WeeklyReport } from './decide/report.js';
import type { IsoWeek } from './decide/week.js';
import { ReviewRepository } from './review.repository.js';

/**
 * Computes a week's report from the sections the levers declared (the review reads no lever's
 * tables and names no lever; each section raises its own "needs attention" items) and writes it once. Every section must compute: a report is never stored with a hole,
 * since it is never rewritten.
 */
@Injectable()
export class ReviewGenerateService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ReviewSectionRegistry,
    private readonly jobs: JobRunner,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
    private readonly repo: ReviewRepository,
    private readonly chains: AuditChainService,
  ) {}

  async compute(week: IsoWeek, manager?: EntityManager): Promise<WeeklyReport> {
    const providers = this.registry.all();
    const [data, runs, heads] = await Promise.all([
      Promise.all(providers.map((p) => p.section.weekSection(week.from, week.to))),
      this.jobs.lastRuns(),
      this.chains.heads(manager),
    ]);
    const computed = providers.map((p, i) => ({ key: p.key, title: p.title, order: p.order, data: data[i], attention: p.attention?.(data[i]) ?? [] }));
    return assembleReport(week, this.clock.now(), computed, {
      runs: runs.map((r) => ({ job: r.job, status: r.status, period_at: r.periodAt?.toISOString() ?? null, error: r.error })),
    }, heads);
  }

  /**
   * Computes and stores the week's report in `manager`'s transaction (or its own); with `notify`,
   * also enqueues the `review.ready` summary in that transaction. Returns the report when this call
   * wrote it, null when the week already had one.
   */
  async generate(week: IsoWeek, by: string, options: { manager?: EntityManager; notify?: boolean } = {}): Promise<WeeklyReport | null> {
    const report = await this.compute(week, options.manager);
    const write = async (manager: EntityManager) => {
      const inserted = await this.repo.insertOnce(manager, {
        week: week.week,
        week_start: week.from,
        generated_at: new Date(report.generated_at),
        generated_by: by,
        report,
        digest: reportDigest(report),
      });
      if (inserted && options.notify) {
        await this.outbox.enqueue(manager, {
          topic: 'review.ready',
          subject: `review:${week.week}`,
          body: { week: week.week, from: report.from, to: report.to, needs_attention: report.needs_attention },
          text: summaryText(report),
        });
      }
      return inserted ? report : null;
    };
    return options.manager ? write(options.manager) : this.dataSource.transaction(write);
  }
}
