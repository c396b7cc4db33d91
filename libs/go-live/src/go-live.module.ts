import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GoLiveChecklistRegistry } from './checklist.js';
import { GoLiveAttestationEntity, GoLiveStateEntity } from './entities/go-live-state.entity.js';
import { GoLiveController } from './go-live.controller.js';
import { GoLiveReviewService } from './go-live-review.service.js';
import { GoLiveService } from './go-live.service.js';
import { GoLiveMetrics } from './go-live.metrics.js';

@Module({
  imports: [TypeOrmModule.forFeature([GoLiveStateEntity, GoLiveAttestationEntity])],
  controllers: [GoLiveController],
  providers: [GoLiveService, GoLiveChecklistRegistry, GoLiveMetrics, GoLiveReviewService],
  exports: [GoLiveService, GoLiveChecklistRegistry],
})
export class GoLiveModule {}
