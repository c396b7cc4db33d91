import { Module } from '@nestjs/common';
import { ApprovalAliasController } from './approval-alias.controller.js';
import { ApprovalDecisionsService } from './approval-decisions.service.js';
import { ApprovalEventsService } from './approval-events.service.js';
import { ApprovalsController } from './approvals.controller.js';
import { ApprovalsJobs } from './approvals.jobs.js';
import { ApprovalsMetrics } from './approvals.metrics.js';
import { ApprovalsRepository } from './approvals.repository.js';
import { ApprovalsService } from './approvals.service.js';
import { ApprovalsReviewRepository } from './approvals-review.repository.js';
import { ApprovalsReviewService } from './approvals-review.service.js';
import { PendingRequestLimit } from './pending-limit.js';

@Module({
  controllers: [ApprovalsController, ApprovalAliasController],
  providers: [ApprovalsRepository, ApprovalsMetrics, ApprovalEventsService, ApprovalsService, ApprovalDecisionsService, ApprovalsJobs, ApprovalsReviewRepository, ApprovalsReviewService, PendingRequestLimit],
  exports: [ApprovalsService, ApprovalDecisionsService],
})
export class ApprovalsModule {}
