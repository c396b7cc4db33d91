import { Module } from '@nestjs/common';
import { ApprovalsModule } from '#approvals';
import { GoLiveModule } from '#go-live';
import { RiskAdjustRepository } from './risk-adjust.repository.js';
import { RiskAdjustService } from './risk-adjust.service.js';
import { RiskCloseService } from './risk-close.service.js';
import { RiskEngineSwitchService } from './risk-engine-switch.service.js';
import { RiskGuardController } from './risk-guard.controller.js';
import { RiskGuardJobs } from './risk-guard.jobs.js';
import { RiskGuardMetrics } from './risk-guard.metrics.js';
import { RiskGuardService } from './risk-guard.service.js';
import { RiskLedgerRepository } from './risk-ledger.repository.js';
import { RiskLedgerTurn } from './risk-ledger-turn.service.js';
import { RiskLedgerService } from './risk-ledger.service.js';
import { RiskPolicyRepository } from './risk-policy.repository.js';
import { RiskPolicyService } from './risk-policy.service.js';
import { RiskReserveService } from './risk-reserve.service.js';
import { RiskWhatIfService } from './risk-what-if.service.js';
import { RiskReviewRepository } from './risk-review.repository.js';
import { RiskReviewService } from './risk-review.service.js';
import { RiskGuardConsole } from './risk-guard.console.js';
import { RiskGuardStream } from './risk-guard.stream.js';
@Module({
  imports: [GoLiveModule, ApprovalsModule],
  controllers: [RiskGuardController],
  providers: [
    RiskPolicyRepository,
    RiskLedgerRepository,
    RiskAdjustRepository,
    RiskLedgerTurn,
    RiskReserveService,
    RiskCloseService,
    RiskWhatIfService,
    RiskPolicyService,
    RiskEngineSwitchService,
    RiskLedgerService,
    RiskAdjustService,
    RiskGuardService,
    RiskGuardJobs,
    RiskGuardMetrics,
    RiskReviewRepository,
    RiskReviewService,
    RiskGuardConsole,
    RiskGuardStream,
  ],
  // The one way in: other levers and apps call RiskGuardService only.
  exports: [RiskGuardService],
})
export class RiskGuardModule {}
