import { GovernanceUnavailableError, WardenError } from './errors.js';

/** How a call is retried. Every bound is finite: a retry loop never outlives `maxElapsedMs`. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 5). */
  maxAttempts?: number;
  /** First back-off; doubles per attempt, with jitter (default 200 ms). */
  initialDelayMs?: number;
  /** Largest back-off (default 3,000 ms). */
  maxDelayMs?: number;
  /** No new attempt starts after this much time since the first (default 15,000 ms). */
  maxElapsedMs?: number;
}

export interface TransportOptions {
  baseUrl: string;
  token: string;
  /** One attempt's bound, headers to body (default 10,000 ms). */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** For tests and custom agents; the global fetch by default. */
  fetch?: typeof fetch;
}

/**
 * Which failures a call may retry:
 * - `idempotent`: 503 and any network failure (the request may have reached the server: only a
 *   call that carries its idempotency key, or a read, may be sent again).
 * - `unsent`: 503 and a refused connection only (the server cannot have acted); for calls
 *   without a key, such as a gate evaluation.
 */
export type RetryClass = 'idempotent' | 'unsent';

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  retry: RetryClass;
  /** Statuses that are answers, not errors (the gate's 202 and 403). */
  accept?: number[];
}

export interface Answer<T> {
  status: number;
  body: T;
}

const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 3000, maxElapsedMs: 15_000 };

/** A network failure: fetch rejected (refused, reset, timed out) rather than answering. */
function networkCode(err: unknown): string | undefined {
  // Duck-typed, not instanceof: fetch's errors may come from another realm (a test VM, a worker).
  if (typeof err !== 'object' || err === null) return undefined;
  const { name, cause } = err as { name?: string; cause?: { code?: string } };
  if (name === 'TimeoutError' || name === 'AbortError') return 'ETIMEDOUT';
  return cause?.code ?? (name === 'TypeError' ? 'EFETCH' : undefined);
}

/** Back-off before attempt `n` (1-based, n >= 2): exponential with full jitter in its upper half. */
export function backoff(n: number, retry: Required<RetryOptions>, random = Math.random): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (n - 2));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Fetch with the bearer token, JSON in and out, and the bounded retry of {@link RetryClass}. */
export class Transport {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly retry: Required<RetryOptions>;
  private readonly fetchImpl: typeof fetch;

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** The headers every call carries (the stream uses them too). */
  authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  get fetch(): typeof fetch {
    return this.fetchImpl;
  }

  async call<T>(method: string, path: string, options: CallOptions): Promise<Answer<T>> {
    const started = Date.now();
    let lastFailure: WardenError | undefined;
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      if (attempt > 1) {
        const wait = backoff(attempt, this.retry);
        if (Date.now() + wait - started > this.retry.maxElapsedMs) break;
        await new Promise((r) => setTimeout(r, wait));
      }
      const outcome = await this.once<T>(method, path, options);
      if ('answer' in outcome) return outcome.answer;
      lastFailure = outcome.failure;
      if (!outcome.retryable) throw outcome.failure;
    }
    throw lastFailure!;
  }

  private async once<T>(method: string, path: string, options: CallOptions): Promise<{ answer: Answer<T> } | { failure: WardenError; retryable: boolean }> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.authHeaders(), ...options.headers };
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(this.baseUrl + path, { method, headers, body: payload, signal: AbortSignal.timeout(this.timeoutMs) });
      text = await res.text();
    } catch (err) {
      const code = networkCode(err);
      if (!code) throw err;
      const failure = new GovernanceUnavailableError(0, 'network_error', `${method} ${path}: ${code} (${String((err as { message?: string }).message)})`, ['network_error'], { cause: code });
      return { failure, retryable: options.retry === 'idempotent' || code === 'ECONNREFUSED' };
    }
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text for the error
    }
    if ((res.status >= 200 && res.status < 300) || options.accept?.includes(res.status)) return { answer: { status: res.status, body: body as T } };
    return { failure: WardenError.fromResponse(res.status, body), retryable: res.status === 503 };
  }
}
