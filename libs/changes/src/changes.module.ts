import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ApprovalsModule } from '#approvals';
import { BreakGlassService } from './break-glass.service.js';
import { ChangeDecisionsService } from './change-decisions.service.js';
import { ChangePolicyService } from './change-policy.service.js';
import { ChangeReadsService } from './change-reads.service.js';
import { ChangesController } from './changes.controller.js';
import { ChangesConsole } from './changes.console.js';
import { ChangesReviewService } from './changes-review.service.js';
import { ChangesMetrics } from './changes.metrics.js';
import { ChangesRepository } from './changes.repository.js';
import { ChangesService } from './changes.service.js';
import { GovernanceAliasController } from './governance-alias.controller.js';

const YAML_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml'];

/** Change governance: one module, registered with one line in the app module. */
@Module({
  imports: [ApprovalsModule],
  controllers: [ChangesController, GovernanceAliasController],
  providers: [ChangesRepository, ChangePolicyService, ChangesService, ChangeReadsService, ChangeDecisionsService, BreakGlassService, ChangesMetrics, ChangesReviewService, ChangesConsole],
  exports: [ChangesService, ChangePolicyService],
})
export class ChangesModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Policy files arrive as YAML text (whichever lever registers the parser first; the same parser). */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify || typeof fastify.addContentTypeParser !== 'function') return;
    for (const type of YAML_TYPES) {
      if (!fastify.hasContentTypeParser(type)) fastify.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
    }
  }
}
