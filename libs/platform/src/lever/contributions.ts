import { SetMetadata } from '@nestjs/common';
import type { JobSchedule } from '../jobs/schedule.js';
import type { ReviewRenderKit } from '../review/render-kit.js';
import type { AttentionItem, ReviewSectionContract } from '../review/review-registry.js';
import type { StreamSnapshotProvider } from '../stream/stream-registry.js';
import type { Lever } from './lever.js';

/*
 * What a lever adds to the house, declared where the code is (the idiom of @nestjs/schedule's
 * @Cron): method and class decorators on the lever's own providers. LeverExplorer finds them at
 * start through Nest's DiscoveryService and fills the platform's registries; no lever calls a
 * register(...) by hand, and nothing below a lever keeps a list of it.
 */

export const JOB = Symbol('warden:job');
export const STATE_GAUGE = Symbol('warden:state-gauge');
export const DECISION_OUTCOMES = Symbol('warden:decision-outcomes');
export const READINESS_CHECK = Symbol('warden:readiness-check');
export const REVIEW_SECTION = Symbol('warden:review-section');
export const CONSOLE_PANEL = Symbol('warden:console-panel');
export const STREAM_EVENTS = Symbol('warden:stream-events');
export const STREAM_SNAPSHOT = Symbol('warden:stream-snapshot');

export interface JobSpec {
  /** `<lever>.<job>`: the name recorded in job_run. */
  name: string;
  schedule: JobSchedule;
  /** How many missed periods to run at start (oldest first); 1 = only the latest. */
  maxCatchUp?: number;
}

export interface JobMeta extends JobSpec {
  lever: Lever;
}

export interface StateGaugeSpec {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export interface DecisionOutcomesMeta {
  lever: Lever;
  outcomes: readonly string[];
}

export interface ReadinessCheckMeta {
  lever: Lever;
  /** The checklist item it contributes to (`required_packs_installed`, `backend_complete`). */
  item: string;
}

export interface ReviewSectionSpec<T extends object = object> {
  /** Position in the report (ascending). */
  order: number;
  /** Defaults to the lever's title. */
  title?: string;
  /** The section's HTML on the review page, drawn from its stored data with the platform's kit. */
  render: (data: T, kit: ReviewRenderKit) => string;
  /** The section's "needs attention" items, from the same data, when the report is computed. */
  attention?: (data: T) => AttentionItem[];
}

export interface ReviewSectionMeta<T extends object = object> extends ReviewSectionSpec<T> {
  lever: Lever;
}

export interface ConsolePanelSpec {
  /** The page's address under /console (`risk` → /console/risk). */
  slug: string;
  title: string;
  /** Position in the console's navigation (ascending). */
  order: number;
}

export interface ConsolePanelMeta extends ConsolePanelSpec {
  lever: Lever;
}

export interface StreamEventsMeta {
  lever: Lever;
  /** Dotted lower-case names (`kill_switch.engaged`), unique across levers: the SSE `event:` field. */
  types: readonly string[];
}

export interface StreamSnapshotMeta {
  lever: Lever;
}

/** A scheduled job: the method receives the JobContext and runs inside the job's transaction. */
export const Job = (lever: Lever, spec: JobSpec): MethodDecorator => SetMetadata(JOB, { lever, ...spec } satisfies JobMeta);

/** A gauge computed at scrape time: the method returns every series (see StateGaugeDefinition). */
export const StateGauge = (spec: StateGaugeSpec): MethodDecorator => SetMetadata(STATE_GAUGE, spec);

/** The lever's outcomes in warden_decisions_total, present at 0 from the first scrape. */
export const DecisionOutcomes = (lever: Lever, outcomes: readonly string[]): ClassDecorator =>
  SetMetadata(DECISION_OUTCOMES, { lever, outcomes } satisfies DecisionOutcomesMeta);

/** A go-live readiness check: the method returns `{ok, detail}`; a throw counts as failed. */
export const ReadinessCheck = (lever: Lever, item: string): MethodDecorator => SetMetadata(READINESS_CHECK, { lever, item } satisfies ReadinessCheckMeta);

/**
 * The lever's section of the weekly review: the class implements ReviewSectionContract<T>, and
 * `spec.render`/`spec.attention` read that same T (a class whose weekSection returns another shape
 * does not compile).
 */
export const ReviewSection =
  <T extends object>(lever: Lever, spec: ReviewSectionSpec<T>) =>
  (target: abstract new (...args: never[]) => ReviewSectionContract<T>): void => {
    SetMetadata(REVIEW_SECTION, { lever, ...spec } satisfies ReviewSectionMeta<T>)(target);
  };

/** A console page: the class implements ConsolePanelContract. */
export const ConsolePanel = (lever: Lever, spec: ConsolePanelSpec): ClassDecorator => SetMetadata(CONSOLE_PANEL, { lever, ...spec } satisfies ConsolePanelMeta);

/**
 * The control-state events a lever puts on `GET /api/governance/stream` (docs/stream.md), on the
 * provider that publishes them with `StreamService.publish(manager, LEVER, event)` in the change's
 * transaction. Publishing a type not declared here throws.
 */
export const StreamEvents = (lever: Lever, types: readonly string[]): ClassDecorator => SetMetadata(STREAM_EVENTS, { lever, types } satisfies StreamEventsMeta);

/**
 * The lever's part of the stream's first event, the snapshot: the method is a StreamSnapshotProvider
 * (`(manager) => items`), reading its current control state in the snapshot's transaction.
 */
export const StreamSnapshot = (lever: Lever): MethodDecorator => SetMetadata(STREAM_SNAPSHOT, { lever } satisfies StreamSnapshotMeta);

export type { StreamSnapshotProvider };
