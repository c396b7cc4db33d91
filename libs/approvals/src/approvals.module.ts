import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ApprovalActBinding } from './approval-acts.binding.js';
import { ApprovalActsExplorer } from './approval-acts.explorer.js';
import { ApprovalActsRepository } from './approval-acts.repository.js';
import { ApprovalActsRegistry } from './approval-acts.registry.js';
import { ApprovalGrantsService } from './approval-grants.service.js';
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
import { ApprovalsConsole } from './approvals.console.js';
import { PendingRequestLimit } from './pending-limit.js';
import { ApprovalsStream } from './approvals.stream.js';
import { ChangeRequestsService } from './change-requests.service.js';

@Module({
  imports: [DiscoveryModule],
  controllers: [ApprovalsController, ApprovalAliasController],
  providers: [ApprovalActsRegistry, ApprovalActsExplorer, ApprovalActsRepository, ApprovalActBinding, ApprovalGrantsService, ApprovalsRepository, ApprovalsMetrics, ApprovalEventsService, ApprovalsService, ApprovalDecisionsService, ApprovalsJobs, ApprovalsReviewRepository, ApprovalsReviewService, ApprovalsConsole, PendingRequestLimit, ApprovalsStream, ChangeRequestsService],
  exports: [ApprovalsService, ApprovalDecisionsService, ApprovalActsRegistry, ChangeRequestsService],
})
export class ApprovalsModule {}
