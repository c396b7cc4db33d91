/**
 * Approvals over HTTP and notification delivery latency. `npm run bench:approvals`.
 * 1. Round trips: BENCH_CONNECTIONS workers (default 16) each loop request → approve → consume for
 *    BENCH_SECONDS (default 10): round trips/s, p50/p99 of one round trip (three HTTP calls).
 * 2. Delivery: for every approval filed in (1), the time from its 202 (the transaction committed)
 *    to the arrival of its `approval.requested` notification at a local receiver; then the same for
 *    BENCH_SEQUENTIAL (default 200) requests filed one at a time (an idle system).
 * App, receiver and clients share one process (as in the other benchmarks): latencies include that.
 */
import 'reflect-metadata';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '#platform';
import { createApp } from '../apps/api/src/create-app.js';
import { benchDatabase, table } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 200);
const TOKEN = 'bench-admin-token-0000000000';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main(): Promise<void> {
  const db = await benchDatabase();
  const arrivals = new Map<string, number>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const msg = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { topic: string; body: { approval_id: string } };
      if (msg.topic === 'approval.requested') arrivals.set(msg.body.approval_id, at);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  // The idle phase leaves BENCH_SEQUENTIAL requests of one engine pending: above the per-requester limit (20).
  const config = loadConfig({
    DATABASE_URL: db.url, WARDEN_BOOTSTRAP_TOKEN: TOKEN, LOG_LEVEL: 'warn', JOBS_ENABLED: '0', WARDEN_WEBHOOK_URLS: hook, WARDEN_WEBHOOK_SECRET: 'bench-secret',
    WARDEN_APPROVALS_MAX_PENDING_PER_REQUESTER: String(SEQUENTIAL + 1000),
  });
  const app = await createApp({ config });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as AddressInfo;
  const base = `http://127.0.0.1:${address.port}`;

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as any;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const mint = async (role: string) => (await call('POST', '/api/governance/tokens', TOKEN, { name: `bench-${role}-${Math.random().toString(36).slice(2, 8)}`, role })).token as string;
  const engine = await mint('engine');
  const operator = await mint('operator');

  const committed = new Map<string, number>();
  const roundTrip = async (i: number) => {
    const created = await call('POST', '/api/governance/approvals', engine, { kind: 'manual', subject: `bench-${i}`, payload: { i }, reason: 'bench' });
    committed.set(created.approval_id, performance.now());
    await call('POST', `/api/governance/approvals/${created.approval_id}/approve`, operator, {});
    await call('POST', `/api/governance/approvals/${created.approval_id}/consume`, engine, { kind: 'manual', payload_digest: created.payload_digest });
  };

  // Warm-up.
  for (let i = 0; i < 20; i++) await roundTrip(-i - 1);

  const times: number[] = [];
  let n = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await roundTrip(n++);
        times.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const waitDelivered = async (ids: string[]) => {
    const until = performance.now() + 60_000;
    while (ids.some((id) => !arrivals.has(id)) && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    const missing = ids.filter((id) => !arrivals.has(id));
    if (missing.length) throw new Error(`${missing.length} notifications not delivered within 60 s`);
    return ids.map((id) => arrivals.get(id)! - committed.get(id)!);
  };
  const underLoad = await waitDelivered([...committed.keys()]);

  const idle: string[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const created = await call('POST', '/api/governance/approvals', engine, { kind: 'manual', subject: `idle-${i}`, reason: 'bench' });
    committed.set(created.approval_id, performance.now());
    idle.push(created.approval_id);
    const until = performance.now() + 10_000;
    while (!arrivals.has(created.approval_id) && performance.now() < until) await new Promise((r) => setImmediate(r));
  }
  const sequential = await waitDelivered(idle);

  console.log(`\nApprovals over HTTP: ${CONNECTIONS} workers x ${SECONDS}s, each round trip = POST /approvals + approve + consume\n`);
  console.log(
    table([
      { measure: 'request → approve → consume', count: times.length, 'rate /s': (times.length / elapsed).toFixed(0), 'p50 ms': pct(times, 50).toFixed(1), 'p99 ms': pct(times, 99).toFixed(1) },
      { measure: 'delivery commit → receiver, under that load', count: underLoad.length, 'rate /s': '-', 'p50 ms': pct(underLoad, 50).toFixed(1), 'p99 ms': pct(underLoad, 99).toFixed(1) },
      { measure: 'delivery commit → receiver, one at a time', count: sequential.length, 'rate /s': '-', 'p50 ms': pct(sequential, 50).toFixed(1), 'p99 ms': pct(sequential, 99).toFixed(1) },
    ]),
  );
  console.log('\ngoal: delivery p99 under 1000 ms');

  await app.close();
  await new Promise<void>((r) => receiver.close(() => r()));
  await db.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
