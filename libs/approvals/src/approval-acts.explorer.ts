import { Injectable, type OnModuleInit } from '@nestjs/common';
import { LeverExplorer } from '#platform';
import {
  APPROVAL_ACT_METADATA,
  APPROVAL_ACT_STATE_METADATA,
  APPROVAL_KINDS_METADATA,
  type ApprovalActEffect,
  type ApprovalActOptions,
  type ApprovalActStateReader,
  type ApprovalKindDefinition,
} from './approval-acts.js';
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
    const states = new Map<string, { instance: object; read: ApprovalActStateReader }>();
    for (const { meta, instance, call } of this.levers.methods<{ act: string }>(APPROVAL_ACT_STATE_METADATA)) {
      if (states.has(meta.act)) throw new Error(`approval act ${meta.act} has two state readers`);
      states.set(meta.act, { instance, read: call as ApprovalActStateReader });
    }
    for (const { meta, instance, call } of this.levers.methods<ApprovalActOptions>(APPROVAL_ACT_METADATA)) {
      const name = meta.act ?? meta.kind;
      const state = states.get(name);
      // The reader sits beside the effect, on the provider of the lever that owns the act.
      if (state && state.instance !== instance) throw new Error(`the state reader of approval act ${name} must be on the provider that defines it`);
      states.delete(name);
      this.registry.defineAct({ ...meta, effect: call as ApprovalActEffect, state: state?.read });
    }
    if (states.size) throw new Error(`state readers for undefined approval acts: ${[...states.keys()].join(', ')}`);
  }
}
