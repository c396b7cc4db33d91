import { Injectable } from '@nestjs/common';
import { Job, type JobContext, weeklyAtUtc } from '#platform';
import { PROMOTION_FRIDAY_JOB } from './promotion.constants.js';
import { PROMOTION } from './promotion.lever.js';
import { PromotionReviewService } from './promotion-review.service.js';

/** The Friday review, 08:00 UTC, once across instances; a missed Friday is caught up at start (the latest one). */
@Injectable()
export class PromotionJobs {
  constructor(private readonly review: PromotionReviewService) {}

  @Job(PROMOTION, { name: PROMOTION_FRIDAY_JOB, schedule: weeklyAtUtc('friday', 8, 0), maxCatchUp: 1 })
  fridayReview({ boundary, manager }: JobContext) {
    return this.review.reviewWeek(manager, boundary);
  }
}
