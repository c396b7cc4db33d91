import { ApprovalsModule } from '#approvals';
import { Module } from '@nestjs/common';
import { GoLiveModule } from '#go-live';
import { HeimdallController } from './heimdall.controller.js';
import { HeimdallJobs } from './heimdall.jobs.js';
import { HeimdallMetrics } from './heimdall.metrics.js';
import { HeimdallRepository } from './heimdall.repository.js';
import { HeimdallReviewRepository } from './heimdall-review.repository.js';
import { HeimdallReviewService } from './heimdall-review.service.js';
import { HeimdallRecommendationsRepository } from './heimdall-recommendations.repository.js';
import { HeimdallTrialsRepository } from './heimdall-trials.repository.js';
import { HeimdallPolicyService } from './heimdall-policy.service.js';
import { HeimdallScorecardService } from './heimdall-scorecard.service.js';
import { HeimdallService } from './heimdall.service.js';
import { HeimdallTrialsService } from './heimdall-trials.service.js';
import { HeimdallConsole } from './heimdall.console.js';
import { HeimdallChecksRepository } from './heimdall-checks.repository.js';
import { HeimdallChecksService } from './heimdall-checks.service.js';
import { HeimdallStream } from './heimdall.stream.js';

@Module({
  imports: [GoLiveModule, ApprovalsModule],
  controllers: [HeimdallController],
  providers: [
    HeimdallRepository,
    HeimdallTrialsRepository,
    HeimdallRecommendationsRepository,
    HeimdallPolicyService,
    HeimdallTrialsService,
    HeimdallService,
    HeimdallScorecardService,
    HeimdallJobs,
    HeimdallMetrics,
    HeimdallReviewRepository,
    HeimdallReviewService,
    HeimdallConsole,
    HeimdallChecksRepository,
    HeimdallChecksService,
    HeimdallStream,
  ],
  exports: [HeimdallService, HeimdallPolicyService, HeimdallTrialsService, HeimdallScorecardService],
})
export class HeimdallModule {}
