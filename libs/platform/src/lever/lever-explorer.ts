import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { JobRunner } from '../jobs/job-runner.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { type ReviewSectionContract, ReviewSectionRegistry } from '../review/review-registry.js';
import { type StreamSnapshotProvider, StreamRegistry } from '../stream/stream-registry.js';
import { type ConsolePanelContract, ConsolePanelRegistry } from './console-panels.js';
import {
  CONSOLE_PANEL,
  type ConsolePanelMeta,
  DECISION_OUTCOMES,
  type DecisionOutcomesMeta,
  JOB,
  type JobMeta,
  READINESS_CHECK,
  type ReadinessCheckMeta,
  REVIEW_SECTION,
  type ReviewSectionMeta,
  STATE_GAUGE,
  type StateGaugeSpec,
  STREAM_EVENTS,
  STREAM_SNAPSHOT,
  type StreamEventsMeta,
  type StreamSnapshotMeta,
} from './contributions.js';
import type { Lever } from './lever.js';
import { type CheckResult, ReadinessRegistry } from './readiness-registry.js';

/** A decorated method found on a provider, bound to its instance. */
export interface DiscoveredMethod<M> {
  meta: M;
  instance: object;
  methodName: string;
  call: (...args: unknown[]) => unknown;
}

/** A decorated provider class, with its instance. */
export interface DiscoveredClass<M> {
  meta: M;
  instance: object;
}

/** Everything the levers declared, by kind: what `GET`-less start-up found (the discovery test lists it). */
export interface LeverContributions {
  levers: string[];
  jobs: Array<{ lever: string; name: string }>;
  gauges: string[];
  decisionOutcomes: Record<string, readonly string[]>;
  readiness: Array<{ item: string; contributor: string }>;
  reviewSections: string[];
  consolePanels: string[];
  /** Stream event types by lever. */
  streamEvents: Record<string, readonly string[]>;
  /** The levers contributing to the stream's snapshot. */
  streamSnapshots: string[];
}

/**
 * Finds what the levers declared (contributions.ts) on their providers at start, through Nest's
 * DiscoveryService and MetadataScanner, and fills the platform's registries. Runs in onModuleInit:
 * every provider exists by then, and nothing reads a registry before onApplicationBootstrap.
 * Other registries (the approvals' acts) use `methods`/`classes` for their own decorators.
 */
@Injectable()
export class LeverExplorer implements OnModuleInit {
  private readonly levers = new Map<string, Lever>();
  private readonly found: LeverContributions = { levers: [], jobs: [], gauges: [], decisionOutcomes: {}, readiness: [], reviewSections: [], consolePanels: [], streamEvents: {}, streamSnapshots: [] };

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly jobs: JobRunner,
    private readonly metrics: MetricsService,
    private readonly readiness: ReadinessRegistry,
    private readonly reviews: ReviewSectionRegistry,
    private readonly panels: ConsolePanelRegistry,
    private readonly stream: StreamRegistry,
  ) {}

  onModuleInit(): void {
    for (const { meta, call } of this.methods<JobMeta>(JOB)) {
      this.seen(meta.lever);
      this.jobs.register({ name: meta.name, schedule: meta.schedule, maxCatchUp: meta.maxCatchUp, run: (ctx) => call(ctx) as Promise<Record<string, unknown> | void> });
      this.found.jobs.push({ lever: meta.lever.name, name: meta.name });
    }
    for (const { meta, call } of this.methods<StateGaugeSpec>(STATE_GAUGE)) {
      this.metrics.registerStateGauge({ ...meta, read: () => call() as ReturnType<Parameters<MetricsService['registerStateGauge']>[0]['read']> });
      this.found.gauges.push(meta.name);
    }
    for (const { meta } of this.classes<DecisionOutcomesMeta>(DECISION_OUTCOMES)) {
      this.seen(meta.lever);
      this.metrics.registerDecisionOutcomes(meta.lever.name, meta.outcomes);
      this.found.decisionOutcomes[meta.lever.name] = [...(this.found.decisionOutcomes[meta.lever.name] ?? []), ...meta.outcomes];
    }
    for (const { meta, call } of this.methods<ReadinessCheckMeta>(READINESS_CHECK)) {
      this.seen(meta.lever);
      this.readiness.add(meta.item, meta.lever.name, () => Promise.resolve().then(() => call() as Promise<CheckResult>));
      this.found.readiness.push({ item: meta.item, contributor: meta.lever.name });
    }
    for (const { meta, instance } of this.classes<ReviewSectionMeta>(REVIEW_SECTION)) {
      this.seen(meta.lever);
      this.reviews.add(meta, instance as ReviewSectionContract);
      this.found.reviewSections.push(meta.lever.name);
    }
    for (const { meta, instance } of this.classes<ConsolePanelMeta>(CONSOLE_PANEL)) {
      this.seen(meta.lever);
      this.panels.add({ ...meta, panel: instance as ConsolePanelContract });
      this.found.consolePanels.push(meta.slug);
    }
    for (const { meta } of this.classes<StreamEventsMeta>(STREAM_EVENTS)) {
      this.seen(meta.lever);
      this.stream.declare(meta.lever.name, meta.types);
      this.found.streamEvents[meta.lever.name] = [...(this.found.streamEvents[meta.lever.name] ?? []), ...meta.types];
    }
    for (const { meta, call } of this.methods<StreamSnapshotMeta>(STREAM_SNAPSHOT)) {
      this.seen(meta.lever);
      this.stream.addSnapshot(meta.lever.name, (manager) => call(manager) as ReturnType<StreamSnapshotProvider>);
      this.found.streamSnapshots.push(meta.lever.name);
    }
  }

  /** What start-up found, for the discovery test and `/metrics`-free introspection. */
  contributions(): LeverContributions {
    return { ...this.found, levers: [...this.levers.keys()].sort() };
  }

  /** The levers that declared anything, by name. */
  lever(name: string): Lever | undefined {
    return this.levers.get(name);
  }

  /** Every method of every singleton provider carrying `key`'s metadata. */
  methods<M>(key: symbol): Array<DiscoveredMethod<M>> {
    const out: Array<DiscoveredMethod<M>> = [];
    for (const instance of this.instances()) {
      const proto = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(proto)) {
        const fn = (instance as Record<string, unknown>)[methodName];
        if (typeof fn !== 'function') continue;
        const meta = this.reflector.get<M | undefined>(key, fn as () => unknown);
        if (meta === undefined) continue;
        out.push({ meta, instance, methodName, call: (...args: unknown[]) => (fn as (...a: unknown[]) => unknown).apply(instance, args) });
      }
    }
    return out;
  }

  /** Every singleton provider whose class carries `key`'s metadata. */
  classes<M>(key: symbol): Array<DiscoveredClass<M>> {
    const out: Array<DiscoveredClass<M>> = [];
    for (const instance of this.instances()) {
      const meta = this.reflector.get<M | undefined>(key, instance.constructor);
      if (meta !== undefined) out.push({ meta, instance });
    }
    return out;
  }

  private instances(): object[] {
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic() || seen.has(instance)) continue;
      seen.add(instance);
    }
    return [...seen];
  }

  private seen(lever: Lever): void {
    const known = this.levers.get(lever.name);
    if (known && known !== lever) throw new Error(`two levers are named ${lever.name}`);
    this.levers.set(lever.name, lever);
  }
}
