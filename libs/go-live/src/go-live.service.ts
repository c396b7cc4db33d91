import { type BeforeApplicationShutdown, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AuditService,
  JobRunner,
  MetricsService,
  NotifyListener,
  type Principal,
  sqlOne,
  sqlRows,
  WardenConfig,
  WardenError,
} from '#platform';
import { GoLiveChecklistRegistry, type ChecklistItem } from './checklist.js';
import { GoLiveErrorCode } from './go-live.errors.js';

export const GO_LIVE_CHANNEL = 'warden_go_live';
const REQUIRED_PACKS = 'required_packs_installed';

export interface GoLiveState {
  go_live_enabled: boolean;
  kill_switch_engaged: boolean;
  enforced: boolean;
  reason: string | null;
  changed_by: string;
  updated_at: string;
}

export interface Checklist {
  ok: boolean;
  required: Record<string, ChecklistItem>;
}

interface Row {
  go_live_enabled: boolean;
  kill_switch_engaged: boolean;
  reason: string | null;
  changed_by: string;
  updated_at: Date;
  version: string;
}

export type GoLiveChange = 'enable' | 'disable' | 'kill_switch.engage' | 'kill_switch.release';

/**
 * The control plane. Each instance serves the row from memory — refreshed by NOTIFY from whichever
 * instance changed it and by a periodic read — so the per-request check costs no query. When the
 * copy is older than its bound and the database cannot be read, PROD_EXEC fails closed.
 */
@Injectable()
export class GoLiveService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('go-live');
  private row?: Row;
  private loadedAt = 0;
  private refreshing?: Promise<void>;
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: WardenConfig,
    private readonly notify: NotifyListener,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly jobs: JobRunner,
    readonly checklistRegistry: GoLiveChecklistRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    await this.notify.subscribe(GO_LIVE_CHANNEL, () => void this.refresh().catch(() => undefined));
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), Math.max(50, this.config.GO_LIVE_CACHE_BOUND_MS / 4));
    this.timer.unref();
    this.checklistRegistry.register('backend_complete', 'platform', () => this.backendComplete());
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get enforced(): boolean {
    return this.config.goLiveEnforced;
  }

  /** The cached row if it is within its staleness bound, else undefined. No I/O: the hot path. */
  fresh(): Row | undefined {
    return Date.now() - this.loadedAt <= this.config.GO_LIVE_CACHE_BOUND_MS ? this.row : undefined;
  }

  /** The last known row, however old (for READ decisions, which never fail closed). */
  lastKnown(): Row | undefined {
    return this.row;
  }

  /**
   * The row as of at most the staleness bound ago, re-reading it if the copy is older.
   * Throws 503 governance_unavailable when it cannot be had: callers about to add risk fail closed.
   */
  async current(): Promise<Row> {
    const cached = this.fresh();
    if (cached) return cached;
    try {
      await this.refresh();
    } catch {
      // fall through to the check below
    }
    const row = this.fresh();
    if (!row) {
      this.metrics.decision('go_live', 'governance_unavailable');
      throw WardenError.unavailable(GoLiveErrorCode.GovernanceUnavailable, 'control-plane state cannot be read: failing closed');
    }
    return row;
  }

  /** Throws 403 kill_switch_engaged (or 503) unless new production risk may be taken now. */
  async assertKillSwitchReleased(): Promise<void> {
    if ((await this.current()).kill_switch_engaged) {
      throw WardenError.forbidden(GoLiveErrorCode.KillSwitchEngaged, 'the kill switch is engaged', [GoLiveErrorCode.KillSwitchEngaged]);
    }
  }

  /**
   * Is the kill switch engaged (as of at most the staleness bound ago)? When that cannot be known
   * it throws 503 governance_unavailable: callers about to take new risk fail closed, and the
   * answer says why instead of blaming a kill switch nobody engaged.
   */
  async killSwitchEngaged(): Promise<boolean> {
    return (await this.current()).kill_switch_engaged;
  }

  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    const row = await sqlOne<Row>(
      this.dataSource,
      `SELECT go_live_enabled, kill_switch_engaged, reason, changed_by, updated_at, version FROM go_live_state WHERE id = 1`,
    );
    if (!row) throw new Error('go_live_state row missing');
    this.accept(row);
  }

  private accept(row: Row): void {
    // Never go back to an older version (a slow periodic read racing a NOTIFY-triggered one).
    if (!this.row || BigInt(row.version) >= BigInt(this.row.version)) this.row = row;
    this.loadedAt = Date.now();
  }

  async state(): Promise<GoLiveState> {
    const row = await this.current();
    return this.toState(row);
  }

  toState(row: Row): GoLiveState {
    return {
      go_live_enabled: row.go_live_enabled,
      kill_switch_engaged: row.kill_switch_engaged,
      enforced: this.enforced,
      reason: row.reason,
      changed_by: row.changed_by,
      updated_at: new Date(row.updated_at).toISOString(),
    };
  }

  async checklist(): Promise<Checklist> {
    const required = await this.checklistRegistry.evaluate();
    if (!required[REQUIRED_PACKS]) required[REQUIRED_PACKS] = { ok: false, detail: 'no policy pack has been registered' };
    const attestations = await sqlRows<{ item: string; attested: boolean; note: string | null; attested_by: string; attested_at: Date }>(
      this.dataSource,
      `SELECT item, attested, note, attested_by, attested_at FROM go_live_attestation ORDER BY item`,
    );
    const byItem = new Map(attestations.map((a) => [a.item, a]));
    for (const item of new Set([...this.config.GO_LIVE_REQUIRED_ATTESTATIONS, ...byItem.keys()])) {
      const a = byItem.get(item);
      required[item] = a
        ? {
            ok: a.attested,
            detail: `${a.attested ? 'attested' : 'withdrawn'} by ${a.attested_by} at ${new Date(a.attested_at).toISOString()}${a.note ? `: ${a.note}` : ''}`,
          }
        : { ok: false, detail: 'awaiting operator attestation (PUT /api/governance/go-live/checklist/' + item + ')' };
    }
    return { ok: Object.values(required).every((i) => i.ok), required };
  }

  private async backendComplete(): Promise<{ ok: boolean; detail: string }> {
    const pending = await this.dataSource.showMigrations();
    const jobs = this.jobs.registered();
    const problems = [
      ...(pending ? ['migrations pending'] : []),
      ...(!this.config.JOBS_ENABLED ? ['scheduled jobs disabled (JOBS_ENABLED=0)'] : []),
      ...(jobs.length === 0 ? ['no scheduled jobs registered'] : []),
    ];
    return problems.length
      ? { ok: false, detail: problems.join('; ') }
      : { ok: true, detail: `migrations applied, database reachable, jobs registered: ${jobs.map((j) => j.name).join(', ')}` };
  }

  async attest(principal: Principal, item: string, input: { attested: boolean; note?: string; actor?: string }): Promise<Checklist> {
    if (!/^[a-z0-9_]{1,64}$/.test(item)) throw WardenError.badRequest('validation_failed', 'invalid item: must match [a-z0-9_]{1,64}');
    if (item === 'backend_complete' || item === REQUIRED_PACKS) {
      throw WardenError.badRequest(GoLiveErrorCode.UnknownChecklistItem, `${item} is computed by Warden and cannot be attested`);
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO go_live_attestation (item, attested, note, attested_by, attested_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (item) DO UPDATE SET attested = EXCLUDED.attested, note = EXCLUDED.note, attested_by = EXCLUDED.attested_by, attested_at = now()`,
        [item, input.attested, input.note ?? null, principal.name],
      );
      await this.audit.record(manager, principal, {
        action: 'go_live.attest',
        subject: `go_live.checklist:${item}`,
        actorLabel: input.actor,
        reason: input.note,
        details: { attested: input.attested },
      });
    });
    return this.checklist();
  }

  async enable(principal: Principal, input: { actor?: string; reason?: string }): Promise<GoLiveState> {
    const checklist = await this.checklist();
    if (!checklist.ok) {
      await this.dataSource.transaction((manager) =>
        this.audit.record(manager, principal, {
          action: 'go_live.enable_refused',
          subject: 'go_live',
          actorLabel: input.actor,
          reason: input.reason,
          details: { checklist },
        }),
      );
      this.metrics.decision('go_live', 'enable_refused');
      throw new WardenError(GoLiveErrorCode.ChecklistFailed, 412, 'the go-live checklist is not complete', {
        reasonCodes: Object.entries(checklist.required).filter(([, i]) => !i.ok).map(([k]) => k),
        details: checklist,
      });
    }
    return this.change(principal, 'enable', `go_live_enabled = true`, input);
  }

  disable(principal: Principal, input: { actor?: string; reason: string }): Promise<GoLiveState> {
    return this.change(principal, 'disable', `go_live_enabled = false`, input);
  }

  engageKillSwitch(principal: Principal, input: { actor?: string; reason: string }): Promise<GoLiveState> {
    return this.change(principal, 'kill_switch.engage', `kill_switch_engaged = true`, input);
  }

  releaseKillSwitch(principal: Principal, input: { actor?: string; reason: string }): Promise<GoLiveState> {
    return this.change(principal, 'kill_switch.release', `kill_switch_engaged = false`, input);
  }

  /** One transaction: the row, its audit record and the NOTIFY that refreshes every instance on commit. */
  private async change(principal: Principal, action: GoLiveChange, assignment: string, input: { actor?: string; reason?: string }): Promise<GoLiveState> {
    const row = await this.dataSource.transaction(async (manager) => {
      const before = await sqlOne<Row>(manager, `SELECT go_live_enabled, kill_switch_engaged FROM go_live_state WHERE id = 1 FOR UPDATE`);
      const updated = await sqlOne<Row>(
        manager,
        `UPDATE go_live_state SET ${assignment}, reason = $1, changed_by = $2, updated_at = now(), version = version + 1 WHERE id = 1
         RETURNING go_live_enabled, kill_switch_engaged, reason, changed_by, updated_at, version`,
        [input.reason ?? null, principal.name],
      );
      await this.audit.record(manager, principal, {
        action: `go_live.${action}`,
        subject: 'go_live',
        actorLabel: input.actor,
        reason: input.reason,
        details: {
          before: { go_live_enabled: before?.go_live_enabled, kill_switch_engaged: before?.kill_switch_engaged },
          after: { go_live_enabled: updated!.go_live_enabled, kill_switch_engaged: updated!.kill_switch_engaged },
        },
      });
      await manager.query(`SELECT pg_notify($1, $2)`, [GO_LIVE_CHANNEL, String(updated!.version)]);
      return updated!;
    });
    this.accept(row);
    this.metrics.decision('go_live', action);
    this.logger.log({ msg: `go-live ${action}`, principal: principal.name, reason: input.reason });
    return this.toState(row);
  }
}
