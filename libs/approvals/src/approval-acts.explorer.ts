import { Injectable, type OnModuleInit } from '@nestjs/common';
import { LeverExplorer } from '#platform';
import { APPROVAL_ACT_METADATA, APPROVAL_KINDS_METADATA, type ApprovalActEffect, type ApprovalActOptions, type ApprovalKindDefinition } from './approval-acts.js';
import { ApprovalActsRegistry } from './approval-acts.registry.js';

/**
 * Finds the levers' @ApprovalAct methods and @OwnsApprovalKinds declarations at start through the
 * platform's discovery (LeverExplorer, the way @nestjs/schedule's explorer finds @Cron) and
 * registers them: no lever calls a register function.
 */
@Injectable()
export class ApprovalActsExplorer implements OnModuleInit {
  constructor(
    private readonly levers: LeverExplorer,
    private readonly registry: ApprovalActsRegistry,
  ) {}

  onModuleInit(): void {
    for (const { meta } of this.levers.classes<ApprovalKindDefinition[]>(APPROVAL_KINDS_METADATA)) {
      for (const kind of meta) this.registry.defineKind(kind);
    }
    for (const { meta, call } of this.levers.methods<ApprovalActOptions>(APPROVAL_ACT_METADATA)) {
      this.registry.defineAct({ ...meta, effect: call as ApprovalActEffect });
    }
  }
}
