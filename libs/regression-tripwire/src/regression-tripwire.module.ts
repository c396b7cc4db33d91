import { ApprovalsModule } from '#approvals';
import { Module } from '@nestjs/common';
import { GoLiveModule } from '#go-live';
import { RiskGuardModule } from '#risk-guard';
import { BaselineResetService } from './baseline-reset.service.js';
import { KpiEventRepository } from './kpi-event.repository.js';
import { KpiIngestService } from './kpi-ingest.service.js';
import { RegressionEvaluationService } from './regression-evaluation.service.js';
import { RegressionPolicyRepository } from './regression-policy.repository.js';
import { RegressionPolicyService } from './regression-policy.service.js';
import { RegressionReviewRepository } from './regression-review.repository.js';
import { RegressionReviewService } from './regression-review.service.js';
import { RegressionStateRepository } from './regression-state.repository.js';
import { RegressionStateService } from './regression-state.service.js';
import { RegressionTripwireController } from './regression-tripwire.controller.js';
import { RegressionTripwireJobs } from './regression-tripwire.jobs.js';
import { RegressionTripwireMetrics } from './regression-tripwire.metrics.js';
import { TripwireActionService } from './tripwire-action.service.js';
import { RegressionTripwireConsole } from './regression-tripwire.console.js';

const SERVICES = [RegressionPolicyService, KpiIngestService, RegressionEvaluationService, TripwireActionService, RegressionStateService, BaselineResetService];

@Module({
  imports: [GoLiveModule, RiskGuardModule, ApprovalsModule],
  controllers: [RegressionTripwireController],
  providers: [RegressionPolicyRepository, KpiEventRepository, RegressionStateRepository, ...SERVICES, RegressionTripwireJobs, RegressionTripwireMetrics, RegressionReviewRepository, RegressionReviewService, RegressionTripwireConsole],
  exports: SERVICES,
})
export class RegressionTripwireModule {}
