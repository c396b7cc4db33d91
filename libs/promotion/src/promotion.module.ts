import { Module } from '@nestjs/common';
import { ApprovalsModule } from '#approvals';
import { HeimdallModule } from '#heimdall';
import { RegressionTripwireModule } from '#regression-tripwire';
import { PromotionController } from './promotion.controller.js';
import { PromotionJobs } from './promotion.jobs.js';
import { PromotionRepository } from './promotion.repository.js';
import { PromotionApprovalService } from './promotion-approval.service.js';
import { PromotionDecisionsService } from './promotion-decisions.service.js';
import { PromotionEvaluationService } from './promotion-evaluation.service.js';
import { PromotionOverrideService } from './promotion-override.service.js';
import { PromotionReviewService } from './promotion-review.service.js';
import { PromotionReviewSectionRepository } from './promotion-review-section.repository.js';
import { PromotionReviewSectionService } from './promotion-review-section.service.js';
import { PromotionRulesService } from './promotion-rules.service.js';
import { PromotionConsole } from './promotion.console.js';

@Module({
  imports: [HeimdallModule, RegressionTripwireModule, ApprovalsModule],
  controllers: [PromotionController],
  providers: [
    PromotionRepository,
    PromotionRulesService,
    PromotionOverrideService,
    PromotionEvaluationService,
    PromotionDecisionsService,
    PromotionReviewService,
    PromotionApprovalService,
    PromotionJobs,
    PromotionReviewSectionRepository,
    PromotionReviewSectionService,
    PromotionConsole,
  ],
  exports: [PromotionEvaluationService, PromotionReviewService, PromotionRulesService],
})
export class PromotionModule {}
