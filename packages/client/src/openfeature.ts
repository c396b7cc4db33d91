/**
 * An OpenFeature provider over the client's control-state cache: an engine already on OpenFeature
 * adds Warden as one more provider. Boolean flags only:
 *
 * | flag key | true when | fail-closed value |
 * | --- | --- | --- |
 * | `go_live.enabled` | go-live is enabled | false |
 * | `kill_switch.engaged` | the kill switch is engaged | true |
 * | `engine.<ENGINE>.enabled` | the engine's switch and GLOBAL's are on | false |
 * | `heimdall.<DOMAIN>.prod_use_enabled` | the domain's `prod_use_enabled` is on and the kill switch released | false |
 *
 * While the cache is stale (no snapshot yet, or the stream silent past its bound) every flag
 * resolves to its fail-closed value with reason `STALE`, whatever default the caller passed: a
 * caller's default is for a key this provider does not know (`FLAG_NOT_FOUND`).
 */
import {
  ErrorCode,
  type EvaluationContext,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
  StandardResolutionReasons,
} from '@openfeature/server-sdk';
import type { WardenClient } from './client.js';

type Flag = { failClosed: boolean; read: (client: WardenClient) => boolean };

/** The flag a key names, or undefined. Engine and domain names are upper-cased, as the server does. */
export function flagFor(key: string): Flag | undefined {
  if (key === 'go_live.enabled') return { failClosed: false, read: (c) => c.goLiveEnabled() };
  if (key === 'kill_switch.engaged') return { failClosed: true, read: (c) => c.killSwitchEngaged() };
  const engine = /^engine\.([A-Za-z0-9_]{1,32})\.enabled$/.exec(key);
  if (engine) return { failClosed: false, read: (c) => c.engineEnabled(engine[1]) };
  const domain = /^heimdall\.([A-Za-z0-9_]{1,32})\.prod_use_enabled$/.exec(key);
  if (domain) return { failClosed: false, read: (c) => c.prodUseEnabled(domain[1]) };
  return undefined;
}

export interface WardenProviderOptions {
  /** How long `initialize` waits for the first snapshot (default 10,000 ms). It resolves either way: until one comes, flags answer fail-closed. */
  readyTimeoutMs?: number;
  /** Close the client with the provider (default false: the client is the caller's). */
  closeClient?: boolean;
}

export class WardenProvider implements Provider {
  readonly metadata = { name: 'warden' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  private offStream: (() => void) | undefined;
  private freshness: ReturnType<typeof setInterval> | undefined;
  private wasFresh = false;

  constructor(
    private readonly client: WardenClient,
    private readonly options: WardenProviderOptions = {},
  ) {}

  async initialize(_context?: EvaluationContext): Promise<void> {
    this.client.start();
    this.offStream = this.client.stream.on({
      change: (type) => {
        this.checkFreshness();
        this.events.emit(ProviderEvents.ConfigurationChanged, { message: `warden: ${type}` });
      },
    });
    // Freshness lapses by silence, which no event announces: look at it a few times per bound.
    const every = Math.max(50, Math.min(1000, this.client.stream.state.staleAfterMs / 4));
    this.freshness = setInterval(() => this.checkFreshness(), every);
    this.freshness.unref?.();
    await this.client.ready(this.options.readyTimeoutMs ?? 10_000);
    this.wasFresh = this.client.isFresh();
    // Never throw: a provider in ERROR would hand out the caller's defaults; this one answers fail-closed.
  }

  async onClose(): Promise<void> {
    this.offStream?.();
    if (this.freshness) clearInterval(this.freshness);
    if (this.options.closeClient) await this.client.close();
  }

  async resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): Promise<ResolutionDetails<boolean>> {
    const flag = flagFor(flagKey);
    if (!flag) return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.FLAG_NOT_FOUND, errorMessage: `warden has no flag ${flagKey}` };
    if (!this.client.isFresh()) return { value: flag.failClosed, reason: StandardResolutionReasons.STALE, variant: 'fail_closed' };
    const value = flag.read(this.client);
    return { value, reason: StandardResolutionReasons.CACHED, variant: value ? 'on' : 'off' };
  }

  async resolveStringEvaluation(flagKey: string, defaultValue: string): Promise<ResolutionDetails<string>> {
    return mismatch(flagKey, defaultValue);
  }

  async resolveNumberEvaluation(flagKey: string, defaultValue: number): Promise<ResolutionDetails<number>> {
    return mismatch(flagKey, defaultValue);
  }

  async resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): Promise<ResolutionDetails<T>> {
    return mismatch(flagKey, defaultValue);
  }

  private checkFreshness(): void {
    const fresh = this.client.isFresh();
    if (fresh === this.wasFresh) return;
    this.wasFresh = fresh;
    if (fresh) this.events.emit(ProviderEvents.Ready, { message: 'warden: the control-state stream is current' });
    else this.events.emit(ProviderEvents.Stale, { message: `warden: no word from the stream within ${this.client.stream.state.staleAfterMs} ms: flags answer fail-closed` });
  }
}

function mismatch<T>(flagKey: string, defaultValue: T): ResolutionDetails<T> {
  return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.TYPE_MISMATCH, errorMessage: `warden flags are boolean (${flagKey})` };
}
