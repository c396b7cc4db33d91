// The HTTP commands' only way to the server: fetch (Node's own), bounded by a timeout, mapping every
// failure to a CliError with its exit code. No Nest, nothing of the server's code.
import { CliError, errorFromAnswer, EXIT } from './exit.js';
import type { Connection } from './settings.js';

export const API = '/api/governance';

/** An answer the command handles itself: 2xx (200, 201 or 202). */
export interface Answer<T = any> {
  status: number;
  body: T;
}

export interface ClientOptions {
  /** Per request; default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class WardenHttp {
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(
    readonly connection: Connection,
    options: ClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.fetchFn = options.fetch ?? fetch;
  }

  get<T = any>(path: string, what: string): Promise<Answer<T>> {
    return this.request<T>('GET', path, undefined, what);
  }

  post<T = any>(path: string, body: unknown, what: string): Promise<Answer<T>> {
    return this.request<T>('POST', path, body ?? {}, what);
  }

  /** GET returning the body as text (the review's HTML page). */
  async text(path: string, what: string): Promise<string> {
    const res = await this.send('GET', path, undefined, what, 'text/html');
    const text = await res.text();
    if (!res.ok) throw errorFromAnswer(res.status, safeJson(text), what);
    return text;
  }

  /** Opens a response whose body the caller reads (the stream); non-2xx answers throw. */
  async open(path: string, headers: Record<string, string>, signal: AbortSignal, what: string): Promise<Response> {
    const res = await this.send('GET', path, undefined, what, 'text/event-stream', headers, signal);
    if (!res.ok) throw errorFromAnswer(res.status, safeJson(await res.text().catch(() => '')), what);
    return res;
  }

  private async request<T>(method: string, path: string, body: unknown, what: string): Promise<Answer<T>> {
    const res = await this.send(method, path, body, what, 'application/json');
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw new CliError(EXIT.unavailable, 'server_unavailable', `${what}: the answer from ${this.connection.server} broke off: ${(e as Error).message}`);
    }
    const parsed = safeJson(text);
    if (!res.ok) throw errorFromAnswer(res.status, parsed, what);
    if (parsed === undefined && text !== '') throw new CliError(EXIT.failure, 'unexpected_answer', `${what}: ${this.connection.server} answered ${res.status} with something other than JSON`);
    return { status: res.status, body: parsed as T };
  }

  private async send(method: string, path: string, body: unknown, what: string, accept: string, extra: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { accept, authorization: `Bearer ${this.connection.token}`, ...extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const url = this.connection.server + path;
    try {
      return await this.fetchFn(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // The stream has no end: only its caller's signal bounds it (heartbeats bound its silence).
        signal: signal ?? AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const timedOut = err.name === 'TimeoutError';
      const why = timedOut ? `no answer within ${this.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
      throw new CliError(EXIT.unavailable, 'server_unavailable', `${what}: cannot reach ${this.connection.server} (${why})`);
    }
  }
}

function safeJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `encodeURIComponent` for a path segment. */
export const seg = (s: string) => encodeURIComponent(s);
