import { type BeforeApplicationShutdown, Injectable, type OnModuleInit } from '@nestjs/common';
import { MetricsService, NotifyListener, WardenConfig } from '#platform';
import { GoLiveStateResponseDto } from './dto/go-live.dto.js';
import { GoLiveErrors } from './go-live.errors.js';
import { GO_LIVE_CHANNEL, GoLiveRepository, type GoLiveStateRow, stateFromNotice } from './go-live.repository.js';
import { GO_LIVE } from './go-live.lever.js';

/**
 * The control plane's state, as every other lever reads it. Each instance serves the row from
 * memory — refreshed by NOTIFY from whichever instance changed it and by a periodic read — so the
 * per-request check costs no query. When the copy is older than its bound and the database cannot
 * be read, PROD_EXEC fails closed. Changes live in GoLiveChangesService, the checklist in
 * GoLiveChecklistService.
 */
@Injectable()
export class GoLiveService implements OnModuleInit, BeforeApplicationShutdown {
  private row?: GoLiveStateRow;
  private loadedAt = 0;
  private refreshing?: Promise<void>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repo: GoLiveRepository,
    private readonly config: WardenConfig,
    private readonly notify: NotifyListener,
    private readonly metrics: MetricsService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    await this.notify.subscribe(GO_LIVE_CHANNEL, (payload) => {
      const row = stateFromNotice(payload);
      if (row) this.accept(row);
      else void this.refresh(true).catch(() => undefined);
    });
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), Math.max(50, this.config.GO_LIVE_CACHE_BOUND_MS / 4));
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get enforced(): boolean {
    return this.config.goLiveEnforced;
  }

  /** The cached row if it is within its staleness bound, else undefined. No I/O: the hot path. */
  fresh(): GoLiveStateRow | undefined {
    return Date.now() - this.loadedAt <= this.config.GO_LIVE_CACHE_BOUND_MS ? this.row : undefined;
  }

  /** The last known row, however old (for READ decisions, which never fail closed). */
  lastKnown(): GoLiveStateRow | undefined {
    return this.row;
  }

  /**
   * The row as of at most the staleness bound ago, re-reading it if the copy is older.
   * Throws 503 governance_unavailable when it cannot be had: callers about to add risk fail closed.
   */
  async current(): Promise<GoLiveStateRow> {
    const cached = this.fresh();
    if (cached) return cached;
    try {
      await this.refresh();
    } catch {
      // fall through to the check below
    }
    const row = this.fresh();
    if (!row) {
      this.metrics.decision(GO_LIVE.name, 'governance_unavailable');
      throw GoLiveErrors.raise('governance_unavailable', 'control-plane state cannot be read: failing closed');
    }
    return row;
  }

  /** Throws 403 kill_switch_engaged (or 503) unless new production risk may be taken now. */
  async assertKillSwitchReleased(): Promise<void> {
    if ((await this.current()).kill_switch_engaged) {
      throw GoLiveErrors.raise('kill_switch_engaged', 'the kill switch is engaged', { reasonCodes: ['kill_switch_engaged'] });
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

  /** GET /go-live/state. */
  async state(): Promise<GoLiveStateResponseDto> {
    return GoLiveStateResponseDto.from(await this.current(), this.enforced);
  }

  /**
   * Re-reads the row, sharing a read already in flight. `afterInFlight`: a read that started before
   * the caller learnt of a change may miss it, so read again once it is done.
   */
  refresh(afterInFlight = false): Promise<void> {
    if (afterInFlight && this.refreshing) return this.refreshing.catch(() => undefined).then(() => this.refresh());
    this.refreshing ??= this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    const row = await this.repo.state();
    if (!row) throw new Error('go_live_state row missing');
    this.accept(row);
  }

  /** Takes a row read or written by this instance. Never goes back to an older version (a slow read racing a newer one). */
  accept(row: GoLiveStateRow): void {
    if (!this.row || BigInt(row.version) >= BigInt(this.row.version)) this.row = row;
    this.loadedAt = Date.now();
  }
}
