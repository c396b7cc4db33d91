import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ApprovalsModule } from '#approvals';
import { GoLiveModule } from '#go-live';
import { HeimdallModule } from '#heimdall';
import { RiskGuardModule } from '#risk-guard';
import { ApprovalKeysController } from './approval-keys.controller.js';
import { ApprovalKeysRepository } from './approval-keys.repository.js';
import { ApprovalKeysService } from './approval-keys.service.js';
import { GateController } from './gate.controller.js';
import { GateSimulateController } from './gate-simulate.controller.js';
import { GatePolicySimulateService } from './gate-policy-simulate.service.js';
import { GateReplayRepository } from './gate-replay.repository.js';
import { GateConsole } from './gate.console.js';
import { GateDecisionWriter } from './decision-writer.js';
import { GateCacheService } from './gate-cache.service.js';
import { GateDecisionsService } from './gate-decisions.service.js';
import { GateEvaluateService } from './gate-evaluate.service.js';
import { GateReviewRepository } from './gate-review.repository.js';
import { GateReviewService } from './gate-review.service.js';
import { GateStream } from './gate.stream.js';
import { GatePolicyService } from './gate-policy.service.js';
import { GateStatsService } from './gate-stats.service.js';
import { GateTrustService } from './gate-trust.service.js';
import { GateMetrics } from './gate.metrics.js';
import { ReadLeversPhase } from './evaluate/02-read-levers.phase.js';
import { ApprovalPhase } from './evaluate/05-approval.phase.js';
import { ReservePhase } from './evaluate/06-reserve.phase.js';
import { DecisionRecorder } from './evaluate/07-record.phase.js';
import { GateRepository } from './gate.repository.js';
import { DecisionsConsole } from './decisions.console.js';

export const YAML_CONTENT_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml'];

/** The gate's HTTP side; it reaches the other levers only through their exported services. */
@Module({
  imports: [GoLiveModule, RiskGuardModule, HeimdallModule, ApprovalsModule],
  controllers: [GateController, GateSimulateController, ApprovalKeysController],
  providers: [ApprovalKeysRepository, ApprovalKeysService, GateRepository, GateCacheService, GateDecisionWriter, GateMetrics, GatePolicyService, GateTrustService, ReadLeversPhase, ApprovalPhase, ReservePhase, DecisionRecorder, GateEvaluateService, GateStatsService, GateDecisionsService, GateReviewRepository, GateReviewService, GateStream, GateReplayRepository, GatePolicySimulateService, GateConsole, DecisionsConsole],
  exports: [GateEvaluateService, GateTrustService, GatePolicyService],
})
export class GateModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Policy files arrive as YAML text: accepted as a string body (validated by the policy parser). */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify || typeof fastify.addContentTypeParser !== 'function') return;
    for (const type of YAML_CONTENT_TYPES) {
      if (!fastify.hasContentTypeParser(type)) fastify.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
    }
  }
}
