/** The go-live row as the stream carries it (docs/stream.md). */
export interface GoLiveState {
  go_live_enabled: boolean;
  kill_switch_engaged: boolean;
  reason?: string | null;
  changed_by?: string;
  updated_at?: string;
  version?: number | string;
}

/** An engine's switch (its risk policy's enablement; `throttled_by` names a tripwire). */
export interface EngineState {
  engine: string;
  enabled: boolean;
  throttled_by?: string | null;
  disabled_reason?: string | null;
}

export interface HeimdallDomainState {
  domain: string;
  prod_use_enabled: boolean;
}

export interface GatePolicyState {
  name: string;
  active_digest: string | null;
  mode: string;
  trust_threshold?: string;
}

/** The outcome of one of the caller's own approval requests, as the stream told it. */
export interface ApprovalOutcome {
  approval_id: string;
  status: 'approved' | 'rejected' | 'expired' | 'cancelled';
  kind?: string;
  decided_by?: string;
  reason?: string | null;
}

/** A delta as the stream frames it: `{id, type, lever, at, data}`. */
export interface StreamDelta {
  id: string;
  type: string;
  lever: string;
  at: string;
  data: Record<string, unknown>;
}

/** The snapshot event's data. */
export interface StreamSnapshot {
  position: string;
  resumed: boolean;
  reason: string;
  state: Record<string, Record<string, unknown>>;
}

/** The global risk policy: every engine's reserve needs it enabled too. */
const GLOBAL = 'GLOBAL';
/** Approval outcomes kept for waiters (the caller's own requests only; oldest dropped first). */
const MAX_APPROVALS = 1000;

/**
 * The control state held in memory, and whether it may be trusted. Pure: the stream feeds it,
 * time is passed in. Every question answers fail-closed unless a snapshot has arrived and the
 * stream was heard (an event or a heartbeat) within `staleAfterMs`.
 */
export class ControlState {
  goLive: GoLiveState | undefined;
  readonly engines = new Map<string, EngineState>();
  readonly heimdall = new Map<string, HeimdallDomainState>();
  readonly gatePolicies = new Map<string, GatePolicyState>();
  readonly approvals = new Map<string, ApprovalOutcome>();
  /** The id to resume after (`Last-Event-ID`). */
  lastEventId: string | undefined;
  /** When the stream was last heard, on the `now` clock; -Infinity before it ever was. */
  lastHeardAt = Number.NEGATIVE_INFINITY;
  private hasSnapshot = false;

  constructor(readonly staleAfterMs: number) {}

  /** Trusted: a snapshot arrived and the stream was heard within the bound. */
  isFresh(now: number): boolean {
    return this.hasSnapshot && now - this.lastHeardAt <= this.staleAfterMs;
  }

  /** Any byte from the stream (a heartbeat included) proves it alive. */
  heard(now: number): void {
    this.lastHeardAt = now;
  }

  /** Replaces everything with a snapshot. */
  applySnapshot(snapshot: StreamSnapshot, id: string | undefined): void {
    const s = snapshot.state ?? {};
    this.goLive = s.go_live ? (s.go_live as unknown as GoLiveState) : undefined;
    replace(this.engines, s.risk);
    replace(this.heimdall, s.heimdall);
    replace(this.gatePolicies, s.gate);
    this.lastEventId = id ?? snapshot.position ?? this.lastEventId;
    this.hasSnapshot = true;
  }

  /** Sets the state a delta carries (applying one twice is harmless). Returns false for a lever it does not know. */
  applyDelta(delta: StreamDelta, id: string | undefined): boolean {
    if (id !== undefined) this.lastEventId = id;
    const d = delta.data ?? {};
    switch (delta.lever) {
      case 'go_live':
        this.goLive = { ...this.goLive, ...(d as unknown as GoLiveState) };
        return true;
      case 'risk':
        if (typeof d.engine === 'string') this.engines.set(d.engine, { ...this.engines.get(d.engine), ...(d as unknown as EngineState) });
        return true;
      case 'heimdall':
        if (typeof d.domain === 'string') this.heimdall.set(d.domain, { ...this.heimdall.get(d.domain), ...(d as unknown as HeimdallDomainState) });
        return true;
      case 'gate':
        if (typeof d.name === 'string') this.gatePolicies.set(d.name, { ...this.gatePolicies.get(d.name), ...(d as unknown as GatePolicyState) });
        return true;
      case 'approvals':
        if (typeof d.approval_id === 'string') {
          this.approvals.delete(d.approval_id);
          this.approvals.set(d.approval_id, d as unknown as ApprovalOutcome);
          if (this.approvals.size > MAX_APPROVALS) this.approvals.delete(this.approvals.keys().next().value!);
        }
        return true;
      default:
        return false;
    }
  }

  /** Engaged unless the state is fresh and says released: an unknown state fails closed. */
  killSwitchEngaged(now: number): boolean {
    if (!this.isFresh(now) || !this.goLive) return true;
    return this.goLive.kill_switch_engaged !== false;
  }

  /** Go-live enabled, known and fresh (false otherwise). */
  goLiveEnabled(now: number): boolean {
    return this.isFresh(now) && this.goLive?.go_live_enabled === true;
  }

  /**
   * The engine's switch and GLOBAL's both on, known and fresh. An engine the token cannot see
   * (another binding) or without a policy is off: the server would deny it `no_engine_policy`.
   */
  engineEnabled(engine: string, now: number): boolean {
    if (!this.isFresh(now)) return false;
    return this.engines.get(engine)?.enabled === true && this.engines.get(GLOBAL)?.enabled !== false && this.engines.has(GLOBAL);
  }

  /**
   * The domain's `prod_use_enabled` on and the kill switch released, known and fresh: the part of
   * Heimdall's eligibility that is control state. The per-recommendation gates (trials, success
   * rate, confidence) are the server's: `heimdall.requireProdEligible(id)`.
   */
  prodUseEnabled(domain: string, now: number): boolean {
    return !this.killSwitchEngaged(now) && this.heimdall.get(domain)?.prod_use_enabled === true;
  }
}

function replace<V>(map: Map<string, V>, section: Record<string, unknown> | undefined): void {
  map.clear();
  for (const [key, value] of Object.entries(section ?? {})) map.set(key, value as V);
}
