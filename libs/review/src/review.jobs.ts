import { Injectable } from '@nestjs/common';
import { Job, type JobContext, weeklyAtUtc } from '#platform';
import { weekEndedBefore } from './decide/week.js';
import { ReviewGenerateService } from './review-generate.service.js';
import { REVIEW } from './review.lever.js';

export const REVIEW_WEEKLY_JOB = `${REVIEW.name}.weekly_report`;

/**
 * Mondays 08:00 UTC: the report of the ISO week that ended at Monday 00:00, once across instances
 * (JobRunner's lock and succeeded row), caught up at start for up to 4 missed Mondays. Written in
 * the job's transaction with the `review.ready` notification.
 */
@Injectable()
export class ReviewJobs {
  constructor(private readonly generator: ReviewGenerateService) {}

  @Job(REVIEW, { name: REVIEW_WEEKLY_JOB, schedule: weeklyAtUtc('monday', 8), maxCatchUp: 4 })
  async weeklyReport({ boundary, manager }: JobContext) {
    const week = weekEndedBefore(boundary);
    const report = await this.generator.generate(week, 'job', { manager, notify: true });
    return { week: week.week, written: report !== null };
  }
}
