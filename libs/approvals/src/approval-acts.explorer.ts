import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { APPROVAL_ACT_METADATA, APPROVAL_KINDS_METADATA, type ApprovalActEffect, type ApprovalActOptions, type ApprovalKindDefinition } from './approval-acts.js';
import { ApprovalActsRegistry } from './approval-acts.registry.js';

/**
 * Finds the levers' @ApprovalAct methods and @OwnsApprovalKinds declarations at start and registers
 * them, the way @nestjs/schedule's explorer finds @Cron: no lever calls a register function.
 */
@Injectable()
export class ApprovalActsExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registry: ApprovalActsRegistry,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const { instance, metatype } = wrapper;
      if (!instance || typeof instance !== 'object' || !Object.getPrototypeOf(instance)) continue;
      const kinds = metatype ? this.reflector.get<ApprovalKindDefinition[] | undefined>(APPROVAL_KINDS_METADATA, metatype as object as () => void) : undefined;
      for (const kind of kinds ?? []) this.registry.defineKind(kind);
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = prototype[name] as ApprovalActEffect;
        const options = this.reflector.get<ApprovalActOptions | undefined>(APPROVAL_ACT_METADATA, method);
        if (!options) continue;
        if (!wrapper.isDependencyTreeStatic()) throw new Error(`@ApprovalAct ${options.act ?? options.kind} on ${wrapper.name}: acts must live on singleton providers`);
        this.registry.defineAct({ ...options, effect: method.bind(instance) });
      }
    }
  }
}
