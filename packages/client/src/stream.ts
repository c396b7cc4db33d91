import { ControlState, type StreamDelta, type StreamSnapshot } from './control-state.js';
import type { Transport } from './http.js';
import { SseParser } from './sse.js';

export interface StreamOptions {
  /** Treat the state as stale (fail closed) after this long without a byte from the stream (default 10,000 ms: twice the server's 5 s heartbeat). */
  staleAfterMs?: number;
  /** Wait before reconnecting when the server sent no `retry:` (default 1,000 ms); grows to 10x on repeated failures. */
  reconnectDelayMs?: number;
  /** The monotonic clock, in ms (performance.now by default). */
  now?: () => number;
}

export type StreamStatus = 'connecting' | 'open' | 'down' | 'closed';

export interface StreamListener {
  /** A snapshot or a delta was applied (or a delta of a lever this client does not model arrived). */
  change?(type: string, event: StreamSnapshot | StreamDelta): void;
  /** The connection opened, dropped, or was closed. */
  status?(status: StreamStatus, error?: string): void;
}

/**
 * Keeps a {@link ControlState} current from `GET /api/governance/stream`: the snapshot first, then
 * deltas; on any end (server gone, a network cut, or a silence longer than the staleness bound,
 * which is how a stalled connection is found) it reconnects with `Last-Event-ID`, so nothing is
 * missed. It never throws: while it cannot reach the server the state goes stale and every
 * question about it answers fail-closed.
 */
export class ControlStateStream {
  readonly state: ControlState;
  readonly now: () => number;
  private readonly listeners = new Set<StreamListener>();
  private readonly reconnectDelayMs: number;
  private serverRetryMs: number | undefined;
  private abort: AbortController | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private stopped = true;
  private failures = 0;
  private loop: Promise<void> | undefined;
  private snapshotWaiters: Array<() => void> = [];
  status: StreamStatus = 'closed';
  lastError: string | undefined;

  constructor(
    private readonly transport: Transport,
    options: StreamOptions = {},
  ) {
    this.state = new ControlState(options.staleAfterMs ?? 10_000);
    this.reconnectDelayMs = options.reconnectDelayMs ?? 1000;
    this.now = options.now ?? (() => performance.now());
  }

  on(listener: StreamListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts following the stream (idempotent). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // A silence past the bound means a stalled connection: drop it, so the loop reconnects.
    const tick = Math.max(50, Math.min(1000, this.state.staleAfterMs / 4));
    this.watchdog = setInterval(() => {
      if (this.status === 'open' && this.now() - this.state.lastHeardAt > this.state.staleAfterMs) this.abort?.abort(new Error('stream silent past the staleness bound'));
    }, tick);
    this.watchdog.unref?.();
    this.loop = this.run();
  }

  /** Resolves once a snapshot has been applied and the state is fresh, or false after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<boolean> {
    if (this.state.isFresh(this.now())) return true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.snapshotWaiters = this.snapshotWaiters.filter((w) => w !== onSnapshot);
        resolve(ok);
      };
      const onSnapshot = () => done(true);
      const timer = setTimeout(() => done(this.state.isFresh(this.now())), timeoutMs);
      this.snapshotWaiters.push(onSnapshot);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.abort?.abort(new Error('closed'));
    await this.loop;
    this.setStatus('closed');
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.connectOnce();
        this.lastError = 'the stream ended';
      } catch (err) {
        this.lastError = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);
      }
      if (this.stopped) break;
      this.setStatus('down', this.lastError);
      this.failures++;
      const base = this.serverRetryMs ?? this.reconnectDelayMs;
      const delay = Math.min(base * 10, base * 2 ** Math.max(0, this.failures - 1));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        t.unref?.();
      });
    }
  }

  private async connectOnce(): Promise<void> {
    this.setStatus('connecting');
    const abort = new AbortController();
    this.abort = abort;
    const headers: Record<string, string> = { accept: 'text/event-stream', ...this.transport.authHeaders() };
    if (this.state.lastEventId !== undefined) headers['last-event-id'] = this.state.lastEventId;
    // Headers must come within the bound too (a proxy that accepts and stalls).
    const headersDue = setTimeout(() => abort.abort(new Error('no response headers within the staleness bound')), this.state.staleAfterMs);
    let res: Response;
    try {
      res = await this.transport.fetch(`${this.transport.baseUrl}/api/governance/stream`, { headers, signal: abort.signal });
    } finally {
      clearTimeout(headersDue);
    }
    if (res.status !== 200 || !res.body) {
      const text = await res.text().catch(() => '');
      throw new Error(`stream refused: ${res.status} ${text.slice(0, 200)}`);
    }
    this.state.heard(this.now());
    this.setStatus('open');
    // A resume brings no snapshot: the state kept from before is current again.
    if (this.state.isFresh(this.now())) for (const w of this.snapshotWaiters.splice(0)) w();
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        this.state.heard(this.now());
        for (const item of parser.feed(decoder.decode(value, { stream: true }))) {
          if (item.kind === 'retry') this.serverRetryMs = item.ms;
          else if (item.kind === 'event') this.apply(item.message.event, item.message.data, item.message.id);
        }
      }
    } finally {
      reader.releaseLock();
      abort.abort();
    }
  }

  private apply(type: string, data: string, id: string | undefined): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return; // not an event of ours
    }
    if (type === 'snapshot') {
      this.state.applySnapshot(parsed as StreamSnapshot, id);
      this.failures = 0;
      for (const w of this.snapshotWaiters.splice(0)) w();
    } else {
      this.state.applyDelta(parsed as StreamDelta, id);
      // A resume that delivered events is as good as a snapshot for the back-off.
      this.failures = 0;
    }
    for (const l of this.listeners) l.change?.(type, parsed as StreamSnapshot | StreamDelta);
  }

  private setStatus(status: StreamStatus, error?: string): void {
    if (this.status === status) return;
    this.status = status;
    for (const l of this.listeners) l.status?.(status, error);
  }
}
