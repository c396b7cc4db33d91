import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, startEmbeddedPostgres } from '#platform';
import { createApp } from '../apps/api/src/create-app.js';

const run = promisify(execFile);

/** A PostgreSQL for a benchmark: DATABASE_URL if set, else a throwaway embedded server. */
export async function benchDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => undefined };
  const root = await mkdtemp(join(tmpdir(), 'warden-bench-'));
  await chmod(root, 0o755);
  const server = await startEmbeddedPostgres(join(root, 'pgdata'));
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The chained logs' trigger names (migration AuditHashChain). */
const CHAINED_LOGS = ['audit_log', 'risk_event', 'approval_decision', 'gate_decision', 'promotion_decision', 'state_change_log'];

/**
 * The chain triggers on or off in the bench's own scratch database, as its owner (for the chain's
 * cost, docs/audit.md#benchmark): a bench-only switch, not a production one.
 */
export async function setChain(url: string, on: boolean): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const log of CHAINED_LOGS) await c.query(`ALTER TABLE ${log} ${on ? 'ENABLE' : 'DISABLE'} TRIGGER zz_${log}_chain`);
  } finally {
    await c.end();
  }
}

/**
 * BENCH_CHAIN: unset or 'on', the chain as deployed; 'off', the whole run without it; 'compare', the
 * bench itself alternates chain on and off between its rounds (paired samples, seconds apart).
 */
export type ChainMode = 'on' | 'off' | 'compare';
export async function applyChainSwitch(url: string): Promise<ChainMode> {
  const mode = (process.env.BENCH_CHAIN ?? 'on') as ChainMode;
  if (!['on', 'off', 'compare'].includes(mode)) throw new Error(`BENCH_CHAIN must be on, off or compare, not ${mode}`);
  if (mode === 'off') await setChain(url, false);
  return mode;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** 2xx answers received. */
  total: number;
}

/**
 * Runs autocannon in its own process so the load generator does not share the server's event loop.
 */
export async function autocannon(url: string, opts: { connections: number; seconds: number; headers?: Record<string, string>; method?: string; body?: string }): Promise<LoadResult> {
  const args = [join('node_modules', 'autocannon', 'autocannon.js'), '-j', '-c', String(opts.connections), '-d', String(opts.seconds)];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}=${v}`);
  if (opts.method) args.push('-m', opts.method);
  if (opts.body) args.push('-b', opts.body);
  args.push(url);
  const { stdout } = await run(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 });
  const r = JSON.parse(stdout);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, total: r['2xx'] };
}

export interface SequentialResult {
  n: number;
  /** Latencies in milliseconds, microsecond resolution. */
  p50: number;
  p99: number;
  mean: number;
  non2xx: number;
}

/** One connection, one request at a time, in its own process (bench/sequential-client.ts): sub-millisecond latencies. */
export async function sequential(url: string, opts: { seconds: number; headers?: Record<string, string>; method?: string; body?: string }): Promise<SequentialResult> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'sequential-client.js');
  const { stdout } = await run(process.execPath, [script, url, String(opts.seconds), opts.method ?? 'GET', JSON.stringify(opts.headers ?? {}), opts.body ?? '']);
  return JSON.parse(stdout) as SequentialResult;
}

/** A TCP port free on loopback now (for a server this benchmark starts in another process). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `url` until it answers 2xx, or throws after `ms`. */
export async function waitForHttp(url: string, ms: number, init?: RequestInit): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(url, init);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The 1-minute load average, printed beside every figure (the machine is shared). */
export const loadAverage = (): number => loadavg()[0];

/** A Warden instance in this process on a free loopback port, jobs off, with `token` as its bootstrap admin token. */
export async function startBenchApp(url: string, token: string): Promise<{ app: NestFastifyApplication; base: string }> {
  const config = loadConfig({ DATABASE_URL: url, WARDEN_BOOTSTRAP_TOKEN: token, LOG_LEVEL: 'silent', JOBS_ENABLED: '0' });
  const app = await createApp({ config });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  return { app, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

/** The p-quantile (0..1) by rank; NaN for no samples. */
export function percentile(xs: number[], p: number): number {
  return xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] : NaN;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function table(rows: Array<Record<string, string | number>>): string {
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  return [line(cols), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join('\n');
}
