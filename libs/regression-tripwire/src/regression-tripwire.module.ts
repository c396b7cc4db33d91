import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GoLiveModule } from '#go-live';
import { RiskGuardModule } from '#risk-guard';
import { KpiEventEntity, KpiStreamEntity } from './entities/kpi-event.entity.js';
import { RegressionPolicyEntity } from './entities/regression-policy.entity.js';
import { RegressionEventEntity, RegressionStateEntity } from './entities/regression-state.entity.js';
import { RegressionTripwireController } from './regression-tripwire.controller.js';
import { RegressionTripwireJobs } from './regression-tripwire.jobs.js';
import { RegressionTripwireMetrics } from './regression-tripwire.metrics.js';
import { RegressionTripwireService } from './regression-tripwire.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([RegressionPolicyEntity, KpiEventEntity, KpiStreamEntity, RegressionStateEntity, RegressionEventEntity]),
    GoLiveModule,
    RiskGuardModule,
  ],
  controllers: [RegressionTripwireController],
  providers: [RegressionTripwireService, RegressionTripwireJobs, RegressionTripwireMetrics],
  exports: [RegressionTripwireService],
})
export class RegressionTripwireModule {}
