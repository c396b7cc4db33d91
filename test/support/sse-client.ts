/**
 * A Server-Sent Events client for tests: fetch's body reader, parsed by hand per the WHATWG
 * rules (`id:`, `event:`, `data:` lines, a blank line ends an event, `:` starts a comment), so the
 * tests see exactly what went over the wire, comments (heartbeats) included.
 */
export interface SseEvent {
  id?: string;
  event: string;
  data: any;
  /** When it arrived (performance.now()). */
  at: number;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: Array<{ text: string; at: number }> = [];
  ended = false;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly status: number,
    readonly headers: Headers,
    private readonly abort: AbortController,
  ) {}

  /** Opens the stream; resolves once the response headers arrived (status and headers to check). */
  static async connect(base: string, token: string | null, options: { lastEventId?: string; headers?: Record<string, string> } = {}): Promise<SseClient> {
    const abort = new AbortController();
    const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    const res = await fetch(`${base}/api/governance/stream`, { headers, signal: abort.signal });
    const client = new SseClient(res.status, res.headers, abort);
    if (res.status !== 200 || !res.body) {
      client.body = await res.text();
      client.ended = true;
      return client;
    }
    void client.read(res.body);
    return client;
  }

  /** The error body of a refused connection. */
  body?: string;

  get lastEventId(): string | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].id !== undefined) return this.events[i].id;
    return undefined;
  }

  /** Resolves with the first event (from index `from`) matching `match`; rejects after `timeoutMs`. */
  async next(match: (e: SseEvent) => boolean, timeoutMs = 5000, from = 0): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      if (this.ended) throw new Error(`stream ended before a matching event; got ${JSON.stringify(this.events.map((e) => e.event))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events.map((e) => e.event))}`);
      await this.changed(left);
    }
  }

  /** Resolves when anything arrives (or after `ms`). */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  close(): void {
    this.abort.abort();
    this.ended = true;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    let current: { id?: string; event?: string; data: string[] } = { data: [] };
    try {
      const reader = body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.search(/\r\n|\r|\n/)) !== -1) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(buffer[nl] === '\r' && buffer[nl + 1] === '\n' ? nl + 2 : nl + 1);
          if (line === '') {
            if (current.data.length || current.event) {
              const text = current.data.join('\n');
              let data: unknown = text;
              try {
                data = JSON.parse(text);
              } catch {
                // not JSON
              }
              this.events.push({ id: current.id, event: current.event ?? 'message', data, at: performance.now() });
            }
            current = { data: [] };
          } else if (line.startsWith(':')) {
            this.comments.push({ text: line.slice(1).trim(), at: performance.now() });
          } else {
            const colon = line.indexOf(':');
            const field = colon === -1 ? line : line.slice(0, colon);
            const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') current.id = value;
            else if (field === 'event') current.event = value;
            else if (field === 'data') current.data.push(value);
          }
          this.wake();
        }
      }
    } catch {
      // aborted by close(), or the server went away
    } finally {
      this.ended = true;
      this.wake();
    }
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
