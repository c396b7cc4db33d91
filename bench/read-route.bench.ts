/**
 * DB-backed read routes, three ways, interleaved rounds, medians (docs/failure-modes.md "Reads"):
 *
 * - `fail-closed`: the reads on the write pool's guarded client, the Sync held back until the
 *   result arrived (every read path before ReadOnlyDatabase);
 * - `read-path`: ReadOnlyDatabase, read-only sessions, Sync sent with the statement (what runs);
 * - `no-hold`: the write pool's client with the held-back Sync switched off: the ceiling, and NOT
 *   fail-closed for writes (a frozen server could commit a statement answered 503). Bench only.
 *
 * Routes: GET /risk/policies (one statement) and GET /risk/ledger/today (five, in parallel); the
 * token lookup is cached, so every statement measured is the route's own.
 *
 * Run: npm run build && node dist/bench/read-route.bench.js
 * Env: BENCH_ROUNDS (default 3), BENCH_SECONDS per run (default 5), BENCH_CONNECTIONS (default 32),
 * BENCH_ROUTES (comma-separated paths).
 */
import 'reflect-metadata';
import { loadavg } from 'node:os';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { GuardedClient, loadConfig, ReadOnlyDatabase } from '#platform';
import { createApp } from '../apps/api/src/create-app.js';
import { autocannon, benchDatabase, median, table, type LoadResult } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const TOKEN = 'bench-admin-token-0000000000';
const ROUTES = (process.env.BENCH_ROUTES ?? '/api/governance/risk/policies,/api/governance/risk/ledger/today').split(',');
const VARIANTS = ['fail-closed', 'read-path', 'no-hold'] as const;
type Variant = (typeof VARIANTS)[number];

const load = () => loadavg()[0].toFixed(1);

async function main(): Promise<void> {
  const db = await benchDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, WARDEN_BOOTSTRAP_TOKEN: TOKEN, LOG_LEVEL: 'warn', JOBS_ENABLED: '0' });
  const app = await createApp({ config });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const headers = { authorization: `Bearer ${TOKEN}` };

  const reads = app.get(ReadOnlyDatabase);
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const proto = GuardedClient.prototype as unknown as { holdsSync(text: string): boolean };
  const holdsSync = proto.holdsSync;
  const use = (v: Variant) => {
    // An own property shadows ReadOnlyDatabase.query: the reads go to the write pool instead.
    const self = reads as unknown as { query?: unknown };
    delete self.query;
    proto.holdsSync = holdsSync;
    if (v === 'read-path') return;
    self.query = (text: string, params?: unknown[]) => dataSource.query(text, params);
    if (v === 'no-hold') proto.holdsSync = () => false;
  };

  const results = new Map<string, LoadResult[]>();
  const cpuPerRequest = new Map<string, number[]>();
  const loads: string[] = [];
  for (const route of ROUTES) {
    for (const v of VARIANTS) {
      use(v);
      const probe = await fetch(`${base}${route}`, { headers });
      if (probe.status !== 200) throw new Error(`${route} (${v}) answered ${probe.status}: ${await probe.text()}`);
      await autocannon(`${base}${route}`, { connections: CONNECTIONS, seconds: 2, headers }); // warm-up
    }
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round so no variant always runs first or last.
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
      for (const v of order) {
        use(v);
        const cpu0 = process.cpuUsage();
        const r = await autocannon(`${base}${route}`, { connections: CONNECTIONS, seconds: SECONDS, headers });
        const cpu = process.cpuUsage(cpu0);
        if (r.non2xx || r.errors) throw new Error(`${route} ${v}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        const key = `${route} ${v}`;
        results.set(key, [...(results.get(key) ?? []), r]);
        // The server's CPU per request: what the Sync costs, less blurred by a loaded machine than req/s.
        cpuPerRequest.set(key, [...(cpuPerRequest.get(key) ?? []), (cpu.user + cpu.system) / (r.rps * SECONDS)]);
        loads.push(load());
        process.stderr.write(`${route} round ${round + 1}/${ROUNDS} ${v}: ${r.rps.toFixed(0)} req/s p99 ${r.p99} ms (load ${load()})\n`);
      }
    }
  }
  use('read-path');

  const rps = (route: string, v: Variant) => median(results.get(`${route} ${v}`)!.map((r) => r.rps));
  const rows = ROUTES.flatMap((route) =>
    VARIANTS.map((v) => ({
      route: `GET ${route.replace('/api/governance', '')}`,
      reads: v,
      'req/s (median)': rps(route, v).toFixed(0),
      'p50 ms': median(results.get(`${route} ${v}`)!.map((r) => r.p50)).toFixed(1),
      'p99 ms': median(results.get(`${route} ${v}`)!.map((r) => r.p99)).toFixed(1),
      'node µs/req': median(cpuPerRequest.get(`${route} ${v}`)!).toFixed(0),
      'vs no-hold': (rps(route, v) / rps(route, 'no-hold')).toFixed(2),
    })),
  );
  console.log(`\n${CONNECTIONS} connections, ${ROUNDS} interleaved rounds x ${SECONDS}s each; load average (1 min) during runs: ${loads.join(' ')}\n`);
  console.log(table(rows));
  for (const route of ROUTES) {
    console.log(
      `${route}: read-path / no-hold ${(rps(route, 'read-path') / rps(route, 'no-hold')).toFixed(2)}x (goal >= 0.90), ` +
        `fail-closed / no-hold ${(rps(route, 'fail-closed') / rps(route, 'no-hold')).toFixed(2)}x, read-path / fail-closed ${(rps(route, 'read-path') / rps(route, 'fail-closed')).toFixed(2)}x`,
    );
  }
  await new Promise((r) => setTimeout(r, 1000)); // requests autocannon left in flight finish before the pools close
  await app.close();
  await db.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
