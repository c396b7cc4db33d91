import { randomUUID } from 'node:crypto';
import type { components } from './generated/openapi.js';
import { GateApi } from './gate.js';
import { governed, type GovernedOptions } from './governed.js';
import { Transport, type TransportOptions } from './http.js';
import { ControlStateStream, type StreamOptions } from './stream.js';

type Schemas = components['schemas'];
export type Reservation = Schemas['ReservationResponseDto'];
export type Closed = Schemas['CloseResponseDto'];
export type Eligibility = Schemas['EligibilityResponseDto'];

export interface WardenClientOptions extends TransportOptions, StreamOptions {
  /** The gate identity governed actions claim by default (an engine token may claim its own name and its binding's identities). */
  identity?: string;
  /** The intent's workspace by default (default `/`). */
  workspace?: string;
}

export interface ReserveInput {
  engine: string;
  /** A decimal string (exact) or a number. */
  amount: string | number;
  /** The idempotency key; a fresh UUID when omitted. Every retry of this call sends the same one. */
  correlationId?: string;
  reason?: string;
}

/** Which reservation: its id, or the key it was reserved under (with the engine, keys are per engine). */
export type ReservationRef = { reservationId: string; correlationId?: never; engine?: string } | { reservationId?: never; correlationId: string; engine?: string };

export type SettleInput = ReservationRef & { realizedLoss: string | number; reason?: string };
export type VoidInput = ReservationRef & { reason: string };

/**
 * Warden for an engine: the calls an engine makes, idempotent and retried within bounds, and a
 * live, fail-closed copy of the control state. `await WardenClient.connect(...)` starts the stream
 * and waits for its snapshot; `close()` ends it.
 */
export class WardenClient {
  readonly transport: Transport;
  readonly stream: ControlStateStream;
  readonly gate: GateApi;
  readonly heimdall: { requireProdEligible: (recommendationId: string, options?: { correlationId?: string }) => Promise<Eligibility> };
  readonly identity: string;
  readonly workspace: string;

  constructor(options: WardenClientOptions) {
    this.transport = new Transport(options);
    this.stream = new ControlStateStream(this.transport, options);
    this.gate = new GateApi(this.transport, this.stream);
    this.identity = options.identity ?? 'engine';
    this.workspace = options.workspace ?? '/';
    this.heimdall = {
      /** 200 eligible now; HeimdallNotEligibleError (the failing gate in reasonCodes) or KillSwitchEngagedError otherwise. */
      requireProdEligible: async (recommendationId, opts = {}) =>
        (
          await this.transport.call<Eligibility>('POST', `/api/governance/heimdall/recommendations/${encodeURIComponent(recommendationId)}/require-prod-eligible`, {
            body: opts.correlationId ? { correlation_id: opts.correlationId } : {},
            retry: 'idempotent',
          })
        ).body,
    };
  }

  /** A client following the stream, once its first snapshot arrived (or `readyTimeoutMs` passed: then it answers fail-closed until it arrives). */
  static async connect(options: WardenClientOptions & { readyTimeoutMs?: number }): Promise<WardenClient> {
    const client = new WardenClient(options);
    client.start();
    await client.ready(options.readyTimeoutMs ?? 10_000);
    return client;
  }

  /** Follows the control-state stream (idempotent). */
  start(): this {
    this.stream.start();
    return this;
  }

  /** True once the cache holds a fresh snapshot; false if `timeoutMs` passed first. */
  ready(timeoutMs = 10_000): Promise<boolean> {
    return this.stream.ready(timeoutMs);
  }

  async close(): Promise<void> {
    await this.stream.stop();
  }

  // ---------------------------------------------------------------- the cache (memory only, no I/O)

  /** Engaged, from memory; also true (fail closed) before the first snapshot and whenever the stream has been silent past the staleness bound. */
  killSwitchEngaged(): boolean {
    return this.stream.state.killSwitchEngaged(this.stream.now());
  }

  /** Go-live enabled, from memory; false when stale. */
  goLiveEnabled(): boolean {
    return this.stream.state.goLiveEnabled(this.stream.now());
  }

  /** The engine's switch and GLOBAL's on, from memory; false when stale or unknown. */
  engineEnabled(engine: string): boolean {
    return this.stream.state.engineEnabled(engine.toUpperCase(), this.stream.now());
  }

  /** The domain's `prod_use_enabled` on and the kill switch released, from memory; false when stale or unknown. */
  prodUseEnabled(domain: string): boolean {
    return this.stream.state.prodUseEnabled(domain.toUpperCase(), this.stream.now());
  }

  /** The cache holds a snapshot and heard the stream within the bound. */
  isFresh(): boolean {
    return this.stream.state.isFresh(this.stream.now());
  }

  // ---------------------------------------------------------------- the risk guard

  /**
   * Reserves `amount` for `engine` (201), or throws RiskDeniedError with every failing cap in
   * `reasonCodes`. Retried on 503 and network failures with the same key: the server answers a
   * retry with the original reservation (`replayed: true`), so it is taken once.
   */
  async reserve(input: ReserveInput): Promise<Reservation> {
    const correlationId = input.correlationId ?? randomUUID();
    const body: Schemas['ReserveRequestDto'] = { engine: input.engine, amount: String(input.amount), correlation_id: correlationId, reason: input.reason };
    return (await this.transport.call<Reservation>('POST', '/api/governance/risk/check-and-reserve', { body, retry: 'idempotent' })).body;
  }

  /** Settles a reservation with its realized loss; a retry of the same settle answers the original (`idempotent_replay`). */
  async settle(input: SettleInput): Promise<Closed> {
    const body: Schemas['SettleRequestDto'] = { ...ref(input), realized_loss: String(input.realizedLoss), reason: input.reason };
    return (await this.transport.call<Closed>('POST', '/api/governance/risk/settle', { body, retry: 'idempotent' })).body;
  }

  /** Releases a reservation without a loss (operator role). Retried like settle. */
  async void(input: VoidInput): Promise<Closed> {
    const body: Schemas['VoidRequestDto'] = { ...ref(input), reason: input.reason };
    return (await this.transport.call<Closed>('POST', '/api/governance/risk/void', { body, retry: 'idempotent' })).body;
  }

  // ---------------------------------------------------------------- governed actions

  /** `fn`, run only when the gate allows (see {@link governed}). */
  governed<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, options: GovernedOptions<A>): (...args: A) => Promise<R> {
    return governed(this.gate, { identity: this.identity, workspace: this.workspace }, fn, options);
  }
}

function ref(input: ReservationRef): { reservation_id?: string; correlation_id?: string; engine?: string } {
  return input.reservationId !== undefined ? { reservation_id: input.reservationId, engine: input.engine } : { correlation_id: input.correlationId, engine: input.engine };
}
