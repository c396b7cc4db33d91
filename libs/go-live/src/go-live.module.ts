import { Module } from '@nestjs/common';
import { ApprovalsModule } from '#approvals';
import { GoLiveChangesService } from './go-live-changes.service.js';
import { GoLiveChecklistService } from './go-live-checklist.service.js';
import { GoLiveController } from './go-live.controller.js';
import { GoLiveReviewService } from './go-live-review.service.js';
import { GoLiveMetrics } from './go-live.metrics.js';
import { GoLiveRepository } from './go-live.repository.js';
import { GoLiveService } from './go-live.service.js';
import { GoLiveConsole } from './go-live.console.js';
import { GoLiveStream } from './go-live.stream.js';

@Module({
  imports: [ApprovalsModule],
  controllers: [GoLiveController],
  providers: [GoLiveRepository, GoLiveService, GoLiveChecklistService, GoLiveChangesService, GoLiveMetrics, GoLiveReviewService, GoLiveConsole, GoLiveStream],
  exports: [GoLiveService, GoLiveChangesService],
})
export class GoLiveModule {}
