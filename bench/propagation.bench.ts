/**
 * Two Warden instances on one database: engage the kill switch through A and time until B refuses
 * PROD_EXEC (403 kill_switch_engaged). `npm run bench:propagation`. Goal: p99 <= 100 ms.
 *
 * B is probed with a PROD_EXEC request that changes nothing when admitted (POST /api/deals with an
 * invalid body: 400 once past the go-live hook, 403 when the hook refuses it), back to back from
 * the moment the engage is sent. Times are from A's acknowledgement of the engage (the commit) and
 * from its sending. Both instances run in this process (one event loop): a conservative setting.
 *
 * The peer: Unleash (bench/unleash.ts). A flag turned on through the admin API, timed from the
 * server's acknowledgement until an unleash-client polling at the shortest interval its SDK accepts
 * sees it on; Warden and Unleash trials alternate. Needs Node 22 (unleash-server 8.x): on an older
 * Node the Unleash half is skipped with a note.
 *
 * Env: BENCH_TRIALS (default 100), BENCH_UNLEASH_TRIALS (default 30). DATABASE_URL=postgres://...
 * to use an external server.
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { Unleash } from 'unleash-client';
import { benchDatabase, loadAverage, median, percentile, startBenchApp, table } from './support.js';
import { startUnleash, UNLEASH_FLAG, type UnleashServer } from './unleash.js';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 100);
const UNLEASH_TRIALS = Number(process.env.BENCH_UNLEASH_TRIALS ?? 30);
const TOKEN = 'bench-admin-token-0000000000';

const start = (url: string) => startBenchApp(url, TOKEN);

async function call(base: string, path: string, body: unknown): Promise<{ status: number; error?: string }> {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const parsed = (await res.json().catch(() => ({}))) as { error?: string };
  return { status: res.status, error: parsed.error };
}

/** A PROD_EXEC request on B that changes nothing: 400 when admitted, 403 kill_switch_engaged when refused. */
const probe = (base: string) => call(base, '/api/deals', { counterparty: '', amount: 'not-an-amount' });

/** The Unleash server and a client that sees it, or why there is none. */
async function unleashPeer(url: string): Promise<{ server: UnleashServer; client: Unleash } | string> {
  let server: UnleashServer;
  try {
    server = await startUnleash(url);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const client = new Unleash({ url: `${server.url}/api/`, appName: 'warden-bench', refreshInterval: 1, disableMetrics: true, skipInstanceCountWarning: true });
  client.on('error', () => undefined);
  await new Promise<void>((r) => client.once('synchronized', () => r()));
  return { server, client };
}

/** Turns the flag to `on` and times until the client sees it (ms from the acknowledgement), or throws after 10 s. */
async function unleashTrial(peer: { server: UnleashServer; client: Unleash }, on: boolean): Promise<number> {
  await peer.server.toggle(on);
  const ackAt = performance.now();
  while (peer.client.isEnabled(UNLEASH_FLAG) !== on) {
    if (performance.now() - ackAt > 10_000) throw new Error('the Unleash client never saw the change within 10 s');
    await new Promise((r) => setTimeout(r, 1));
  }
  return performance.now() - ackAt;
}

async function main(): Promise<void> {
  const db = await benchDatabase();
  const a = await start(db.url);
  const b = await start(db.url);
  const peer = await unleashPeer(db.url);
  try {
    const admitted = await probe(b.base);
    if (admitted.status !== 400) throw new Error(`the probe should be admitted and refused by validation (400), got ${admitted.status}`);
    const fromAck: number[] = [];
    const fromSend: number[] = [];
    const probesPerTrial: number[] = [];
    const unleash: number[] = [];
    const loads: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      if (typeof peer !== 'string' && trial < UNLEASH_TRIALS) {
        // Alternating with Warden's trials: the same machine load for both. Off again untimed.
        loads.push(loadAverage());
        unleash.push(await unleashTrial(peer, true));
        await unleashTrial(peer, false);
      }
      const sent = performance.now();
      let ackAt = Infinity;
      const engage = call(a.base, '/api/governance/go-live/kill-switch/engage', { reason: `bench ${trial}` }).then((r) => {
        if (r.status >= 300) throw new Error(`engage answered ${r.status} ${r.error}`);
        ackAt = performance.now();
      });
      let probes = 0;
      for (;;) {
        const r = await probe(b.base);
        probes++;
        if (r.status === 403 && r.error === 'kill_switch_engaged') break;
        if (r.status !== 400) throw new Error(`unexpected probe answer ${r.status} ${r.error}`);
        if (performance.now() - sent > 10_000) throw new Error('B never refused PROD_EXEC within 10 s');
      }
      const refusedAt = performance.now();
      await engage;
      fromSend.push(refusedAt - sent);
      fromAck.push(Math.max(0, refusedAt - ackAt));
      probesPerTrial.push(probes);
      const released = await call(a.base, '/api/governance/go-live/kill-switch/release', { reason: `bench ${trial}` });
      if (released.status >= 300) throw new Error(`release answered ${released.status} ${released.error}`);
      while ((await probe(b.base)).status !== 400) await new Promise((r) => setTimeout(r, 1));
    }
    const row = (what: string, xs: number[]) => ({
      what,
      n: xs.length,
      'p50 ms': percentile(xs, 0.5).toFixed(1),
      'p99 ms': percentile(xs, 0.99).toFixed(1),
      'max ms': Math.max(...xs).toFixed(1),
    });
    process.stdout.write(`\nbench:propagation — ${TRIALS} trials, kill switch engaged on A, PROD_EXEC probed on B back to back\n\n`);
    process.stdout.write(table([row('engage acknowledged by A -> B refuses', fromAck), row('engage sent to A -> B refuses', fromSend)]) + '\n\n');
    process.stdout.write(`probes per trial (median): ${median(probesPerTrial)}\n`);
    if (typeof peer === 'string') process.stdout.write(`Unleash skipped: ${peer}\n`);
    else {
      process.stdout.write(`\nUnleash ${peer.server.version} (unleash-client, refreshInterval 1 ms), ${unleash.length} trials alternating with Warden's; load ${median(loads).toFixed(1)} (${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)})\n\n`);
      process.stdout.write(table([row('Warden: engage acknowledged -> B refuses', fromAck), row('Unleash: flag on acknowledged -> client sees it', unleash)]) + '\n\n');
      process.stdout.write(`Warden faster by: p50 ${(percentile(unleash, 0.5) / Math.max(percentile(fromAck, 0.5), 0.001)).toFixed(0)}x, p99 ${(percentile(unleash, 0.99) / percentile(fromAck, 0.99)).toFixed(0)}x\n`);
    }
    process.stdout.write(`goal p99 <= 100 ms (from acknowledgement): ${percentile(fromAck, 0.99) <= 100 ? 'met' : 'NOT met'}\n`);
  } finally {
    if (typeof peer !== 'string') {
      peer.client.destroy();
      await peer.server.stop();
    }
    await a.app.close().catch(() => undefined);
    await b.app.close().catch(() => undefined);
    await db.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:propagation failed: ${String(err instanceof Error ? err.stack : err)}\n`);
    process.exit(1);
  },
);
