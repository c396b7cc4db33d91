/**
 * @warden/client's cached check against asking the server, interleaved rounds, medians
 * (packages/client/README.md "The cache"):
 *
 * - `cached`: `client.killSwitchEngaged()`, answered from memory (the control-state cache fed by the
 *   stream). Calls/s from an untimed loop; p50/p99 from timing each call alone, which includes the
 *   clock's own cost (printed beside it: `clock` is the same loop timing nothing).
 * - `http 1 conn`: GET /api/governance/go-live/state, one request at a time on one keep-alive
 *   connection, in its own process (bench/sequential-client.ts): what an engine's inline check costs.
 * - `http 32 conn`: the same route under autocannon, 32 connections: the server's ceiling.
 *
 * The cached loop yields to the event loop every few milliseconds, so the stream's heartbeats keep
 * the cache fresh: the bench counts the answers that were not the fresh "released" (it must be 0).
 *
 * Run: npm run bench:client-cache
 * Env: BENCH_ROUNDS (default 3), BENCH_SECONDS per run (default 5), BENCH_CONNECTIONS (default 32).
 */
import 'reflect-metadata';
import { WardenClient } from '@warden/client';
import { loadConfig } from '#platform';
import { createApp } from '../apps/api/src/create-app.js';
import { autocannon, benchDatabase, loadAverage, median, sequential, table } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const TOKEN = 'bench-admin-token-0000000000';
const ROUTE = '/api/governance/go-live/state';
const BATCH = 10_000;
const VARIANTS = ['cached', 'http 1 conn', `http ${CONNECTIONS} conn`] as const;
type Variant = (typeof VARIANTS)[number];

interface Run {
  perSecond: number;
  p50us: number;
  p99us: number;
  clockP99us?: number;
  wrong?: number;
}

const yieldToLoop = () => new Promise((r) => setImmediate(r));

/** Calls/s of the cached check, untimed per call; the answers that were not "released" counted. */
async function cachedThroughput(client: WardenClient, seconds: number): Promise<{ perSecond: number; wrong: number }> {
  let calls = 0;
  let wrong = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < BATCH; i++) if (client.killSwitchEngaged()) wrong++;
    calls += BATCH;
    await yieldToLoop();
  }
  return { perSecond: calls / ((performance.now() - started) / 1000), wrong };
}

/** Each call timed alone (hrtime), and the same loop timing nothing: percentiles in µs. */
async function cachedLatency(client: WardenClient, samples: number): Promise<{ p50: number; p99: number; clockP99: number }> {
  const times = new Float64Array(samples);
  const clock = new Float64Array(samples);
  let sink = 0;
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    if (client.killSwitchEngaged()) sink++;
    const t1 = process.hrtime.bigint();
    const t2 = process.hrtime.bigint();
    times[i] = Number(t1 - t0) / 1000;
    clock[i] = Number(t2 - t1) / 1000;
    if (i % BATCH === 0) await yieldToLoop();
  }
  if (sink < 0) console.log(sink); // keeps the call from being optimised away
  const at = (xs: Float64Array, p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
  return { p50: at(times, 0.5), p99: at(times, 0.99), clockP99: at(clock, 0.99) };
}

async function measure(v: Variant, client: WardenClient, url: string, headers: Record<string, string>): Promise<Run> {
  if (v === 'cached') {
    const { perSecond, wrong } = await cachedThroughput(client, SECONDS);
    const lat = await cachedLatency(client, 1_000_000);
    return { perSecond, p50us: lat.p50, p99us: lat.p99, clockP99us: lat.clockP99, wrong };
  }
  if (v === 'http 1 conn') {
    const r = await sequential(url, { seconds: SECONDS, headers });
    if (r.non2xx) throw new Error(`${v}: ${r.non2xx} non-2xx`);
    return { perSecond: r.n / SECONDS, p50us: r.p50 * 1000, p99us: r.p99 * 1000 };
  }
  const r = await autocannon(url, { connections: CONNECTIONS, seconds: SECONDS, headers });
  if (r.non2xx || r.errors) throw new Error(`${v}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { perSecond: r.rps, p50us: r.p50 * 1000, p99us: r.p99 * 1000 };
}

async function main(): Promise<void> {
  const db = await benchDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, WARDEN_BOOTSTRAP_TOKEN: TOKEN, LOG_LEVEL: 'warn', JOBS_ENABLED: '0' });
  const app = await createApp({ config });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const headers = { authorization: `Bearer ${TOKEN}` };
  const client = await WardenClient.connect({ baseUrl: base, token: TOKEN, readyTimeoutMs: 30_000 });
  if (!client.isFresh() || client.killSwitchEngaged()) throw new Error('the client has no fresh snapshot with the kill switch released');

  await autocannon(`${base}${ROUTE}`, { connections: CONNECTIONS, seconds: 2, headers }); // warm-up
  await cachedThroughput(client, 1);

  const runs = new Map<Variant, Run[]>();
  const loads: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no variant always runs first or last.
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
    for (const v of order) {
      const r = await measure(v, client, `${base}${ROUTE}`, headers);
      runs.set(v, [...(runs.get(v) ?? []), r]);
      loads.push(loadAverage().toFixed(1));
      process.stderr.write(`round ${round + 1}/${ROUNDS} ${v}: ${r.perSecond.toFixed(0)}/s p99 ${r.p99us.toFixed(2)} µs (load ${loadAverage().toFixed(1)})\n`);
    }
  }

  const med = (v: Variant, f: (r: Run) => number) => median(runs.get(v)!.map(f));
  const rows = VARIANTS.map((v) => ({
    check: v === 'cached' ? 'killSwitchEngaged() (memory)' : `GET ${ROUTE.replace('/api/governance', '')} (${v.replace('http ', '')})`,
    'calls/s (median)': med(v, (r) => r.perSecond).toFixed(0),
    'p50 µs': med(v, (r) => r.p50us).toFixed(2),
    'p99 µs': med(v, (r) => r.p99us).toFixed(2),
    'vs cached (calls/s)': (med('cached', (r) => r.perSecond) / med(v, (r) => r.perSecond)).toFixed(0) + 'x',
  }));
  const wrong = runs.get('cached')!.reduce((s, r) => s + (r.wrong ?? 0), 0);
  console.log(`\n${ROUNDS} interleaved rounds x ${SECONDS}s each; load average (1 min) during runs: ${loads.join(' ')}\n`);
  console.log(table(rows));
  console.log(`\ncached p99 includes the clock read: the clock alone p99 ${med('cached', (r) => r.clockP99us!).toFixed(2)} µs.`);
  console.log(`cached answers that were not the fresh "released": ${wrong} (must be 0: the cache stayed fresh throughout).`);
  await client.close();
  await new Promise((r) => setTimeout(r, 1000)); // requests autocannon left in flight finish before the pools close
  await app.close();
  await db.stop();
  if (wrong) process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
