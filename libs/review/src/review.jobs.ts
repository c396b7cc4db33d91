import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobRunner, weeklyAtUtc } from '#platform';
import { weekEndedBefore } from './decide/week.js';
import { ReviewGenerateService } from './review-generate.service.js';

export const REVIEW_WEEKLY_JOB = 'review.weekly_report';

/**
 * Mondays 08:00 UTC: the report of the ISO week that ended at Monday 00:00, once across instances
 * (JobRunner's lock and succeeded row), caught up at start for up to 4 missed Mondays. Written in
 * the job's transaction with the `review.ready` notification.
 */
@Injectable()
export class ReviewJobs implements OnModuleInit {
  constructor(
    private readonly jobs: JobRunner,
    private readonly generator: ReviewGenerateService,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: REVIEW_WEEKLY_JOB,
      schedule: weeklyAtUtc('monday', 8),
      maxCatchUp: 4,
      run: async ({ boundary, manager }) => {
        const week = weekEndedBefore(boundary);
        const report = await this.generator.generate(week, 'job', { manager, notify: true });
        return { week: week.week, written: report !== null };
      },
    });
  }
}
