import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GoLiveModule } from '#go-live';
import { RiskEventEntity } from './entities/risk-event.entity.js';
import { RiskLedgerDayEntity } from './entities/risk-ledger-day.entity.js';
import { RiskPolicyEntity } from './entities/risk-policy.entity.js';
import { RiskReservationEntity } from './entities/risk-reservation.entity.js';
import { RiskAdjustRepository } from './risk-adjust.repository.js';
import { RiskAdjustService } from './risk-adjust.service.js';
import { RiskGuardController } from './risk-guard.controller.js';
import { RiskGuardJobs } from './risk-guard.jobs.js';
import { RiskGuardMetrics } from './risk-guard.metrics.js';
import { RiskGuardRepository } from './risk-guard.repository.js';
import { RiskGuardService } from './risk-guard.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([RiskPolicyEntity, RiskLedgerDayEntity, RiskReservationEntity, RiskEventEntity]), GoLiveModule],
  controllers: [RiskGuardController],
  providers: [RiskGuardRepository, RiskAdjustRepository, RiskGuardService, RiskAdjustService, RiskGuardJobs, RiskGuardMetrics],
  exports: [RiskGuardService, RiskAdjustService],
})
export class RiskGuardModule {}
