import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobRunner, weeklyAtUtc } from '#platform';
import { PROMOTION_FRIDAY_JOB } from './promotion.constants.js';
import { PromotionReviewService } from './promotion-review.service.js';

/** The Friday review, 08:00 UTC, once across instances; a missed Friday is caught up at start (the latest one). */
@Injectable()
export class PromotionJobs implements OnModuleInit {
  constructor(
    private readonly jobs: JobRunner,
    private readonly review: PromotionReviewService,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: PROMOTION_FRIDAY_JOB,
      schedule: weeklyAtUtc('friday', 8, 0),
      maxCatchUp: 1,
      run: ({ boundary, manager }) => this.review.reviewWeek(manager, boundary),
    });
  }
}
