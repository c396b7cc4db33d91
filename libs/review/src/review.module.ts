import { Module } from '@nestjs/common';
import { ReviewController } from './review.controller.js';
import { ReviewGenerateService } from './review-generate.service.js';
import { ReviewJobs } from './review.jobs.js';
import { ReviewReadService } from './review-read.service.js';
import { ReviewRepository } from './review.repository.js';
import { ReviewConsole } from './review.console.js';

/**
 * The weekly review. It imports no lever: the levers' review services register their sections in
 * the platform's ReviewSectionRegistry, which this module reads.
 */
@Module({
  controllers: [ReviewController],
  providers: [ReviewRepository, ReviewGenerateService, ReviewReadService, ReviewJobs, ReviewConsole],
  exports: [ReviewGenerateService, ReviewReadService],
})
export class ReviewModule {}
