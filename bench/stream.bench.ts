/**
 * The control-state stream (docs/stream.md). `npm run bench:stream`.
 *
 * 1. Two instances on one database, in this process: the kill switch is engaged through A; a
 *    stream client on B waits for `kill_switch.engaged`. Time from A's acknowledgement (the
 *    commit) and from the sending, BENCH_TRIALS (200) trials. Goal: p99 <= 100 ms.
 *    The peer, by the same method in the same run: Unleash (bench/unleash.ts, as bench:propagation
 *    starts it) with an unleash-client polling at the shortest interval the SDK accepts (1 ms, back
 *    to back); a flag turned off through the admin API, timed from the server's acknowledgement
 *    until the client sees it off. BENCH_UNLEASH_TRIALS (default BENCH_TRIALS), alternating with
 *    Warden's trials so both see the same load; the load average is sampled at each. Needs Node 22
 *    (unleash-server 8.x): on an older Node the Unleash half is skipped with a note.
 * 2. BENCH_SUBSCRIBERS (1,000) stream clients on one instance, run as its own process (so its
 *    memory is its own: VmRSS from /proc before and after they connect); BENCH_FANOUT_TRIALS (20)
 *    engages through A, each timed from A's acknowledgement to every client having seen it.
 *
 * The clients parse the stream in this process (one event loop with instances A and B in part 1,
 * with A and 1,000 parsers in part 2): conservative settings. DATABASE_URL for an external server.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Unleash } from 'unleash-client';
import { benchDatabase, loadAverage, median, percentile, startBenchApp, table } from './support.js';
import { startUnleash, UNLEASH_FLAG, type UnleashServer } from './unleash.js';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 200);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const FANOUT_TRIALS = Number(process.env.BENCH_FANOUT_TRIALS ?? 20);
const UNLEASH_TRIALS = Number(process.env.BENCH_UNLEASH_TRIALS ?? TRIALS);
const TOKEN = 'bench-admin-token-0000000000';

const start = (url: string) => startBenchApp(url, TOKEN);

async function post(base: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${path} answered ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

/** A minimal stream client: calls `onEvent(type, at)` for each event as its blank line arrives. */
async function subscribe(base: string, onEvent: (type: string, at: number) => void): Promise<AbortController> {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/governance/stream`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: abort.signal });
  if (res.status !== 200 || !res.body) throw new Error(`stream answered ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let type = 'message';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf('\n')) !== -1) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.startsWith('event: ')) type = line.slice(7);
          else if (line === '') {
            onEvent(type, performance.now());
            type = 'message';
          }
        }
      }
    } catch {
      // aborted
    }
  })();
  return abort;
}

function waiter() {
  const waiting = new Map<string, Array<(at: number) => void>>();
  return {
    on: (type: string, at: number) => {
      for (const resolve of waiting.get(type) ?? []) resolve(at);
      waiting.delete(type);
    },
    next: (type: string) => new Promise<number>((resolve) => waiting.set(type, [...(waiting.get(type) ?? []), resolve])),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface UnleashPeer {
  server: UnleashServer;
  client: Unleash;
}

/** The Unleash server and a client polling it back to back (refreshInterval 1 ms), or why there is none. */
async function unleashPeer(url: string): Promise<UnleashPeer | string> {
  let server: UnleashServer;
  try {
    server = await startUnleash(url);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const client = new Unleash({ url: `${server.url}/api/`, appName: 'warden-bench-stream', refreshInterval: 1, disableMetrics: true, skipInstanceCountWarning: true });
  client.on('error', () => undefined);
  await new Promise<void>((r) => client.once('synchronized', () => r()));
  return { server, client };
}

/** Sets the flag and waits until the client sees it; answers ms from the server's acknowledgement. */
async function unleashSet(peer: UnleashPeer, on: boolean): Promise<number> {
  await peer.server.toggle(on);
  const ackAt = performance.now();
  while (peer.client.isEnabled(UNLEASH_FLAG) !== on) {
    // A late observation is a figure, not an error; a minute without one is.
    if (performance.now() - ackAt > 60_000) throw new Error(`the Unleash client never saw the flag ${on ? 'on' : 'off'} within 60 s`);
    await new Promise((r) => setTimeout(r, 1));
  }
  return performance.now() - ackAt;
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function main(): Promise<void> {
  const db = await benchDatabase();
  const a = await start(db.url);
  const b = await start(db.url);
  const port = await freePort();
  const c = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    env: { ...process.env, DATABASE_URL: db.url, WARDEN_BOOTSTRAP_TOKEN: TOKEN, LOG_LEVEL: 'silent', JOBS_ENABLED: '0', PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let cErrors = '';
  c.stderr!.on('data', (d: Buffer) => (cErrors = (cErrors + d.toString()).slice(-4000)));
  const cBase = `http://127.0.0.1:${port}`;
  const aborts: AbortController[] = [];
  let peer = await unleashPeer(db.url);
  try {
    // Part 1: A -> a client on B; the Unleash peer's trials interleaved.
    const w = waiter();
    aborts.push(await subscribe(b.base, w.on));
    const fromAck: number[] = [];
    const fromSend: number[] = [];
    const unleashOff: number[] = [];
    const loads: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      loads.push(loadAverage());
      if (typeof peer !== 'string' && trial < UNLEASH_TRIALS) {
        await unleashSet(peer, true); // on again, untimed
        unleashOff.push(await unleashSet(peer, false));
      }
      const seen = w.next('kill_switch.engaged');
      const sent = performance.now();
      await post(a.base, '/api/governance/go-live/kill-switch/engage', { reason: `bench ${trial}` });
      const ack = performance.now();
      const at = await seen;
      fromAck.push(Math.max(0, at - ack));
      fromSend.push(at - sent);
      const released = w.next('kill_switch.released');
      await post(a.base, '/api/governance/go-live/kill-switch/release', { reason: `bench ${trial}` });
      await released;
    }
    const row = (what: string, xs: number[]) => ({ what, n: xs.length, 'p50 ms': percentile(xs, 0.5).toFixed(1), 'p99 ms': percentile(xs, 0.99).toFixed(1), 'max ms': Math.max(...xs).toFixed(1) });
    process.stdout.write(`\nbench:stream — part 1: ${TRIALS} trials, kill switch engaged on A, a stream client on B\n\n`);
    process.stdout.write(table([row('engage acknowledged by A -> client on B has it', fromAck), row('engage sent to A -> client on B has it', fromSend)]) + '\n\n');
    process.stdout.write(`goal p99 <= 100 ms (from acknowledgement): ${percentile(fromAck, 0.99) <= 100 ? 'met' : 'NOT met'}\n`);
    process.stdout.write(`load average (1 min) during part 1: median ${median(loads).toFixed(1)} (${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)})\n`);
    if (typeof peer === 'string') process.stdout.write(`\nUnleash skipped: ${peer}\n`);
    else {
      process.stdout.write(`\nthe peer: Unleash ${peer.server.version} (unleash-client, refreshInterval 1 ms), ${unleashOff.length} trials alternating with Warden's\n\n`);
      process.stdout.write(table([row('Warden: engage acknowledged by A -> stream client on B has it', fromAck), row('Unleash: flag off acknowledged -> client sees it off', unleashOff)]) + '\n\n');
      // From the acknowledgement Warden's p50 is often 0 (clamped: B's client has the event before A's
      // own answer arrives): a ratio against it is a lower bound over 0.1 ms.
      const ratio = (p: number) => {
        const w = percentile(fromAck, p);
        return w < 0.1 ? `> ${(percentile(unleashOff, p) / 0.1).toFixed(0)} (Warden under 0.1 ms)` : (percentile(unleashOff, p) / w).toFixed(1);
      };
      process.stdout.write(`Unleash / Warden: p50 ${ratio(0.5)}x, p99 ${ratio(0.99)}x\n`);
    }

    if (typeof peer !== 'string') {
      peer.client.destroy();
      await peer.server.stop();
      peer = 'stopped after part 1';
    }

    // Part 2: many subscribers on C (its own process).
    for (let i = 0; ; i++) {
      const ok = await fetch(`${cBase}/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (i > 600 || c.exitCode !== null) throw new Error(`instance C did not start (exit ${c.exitCode}):\n${cErrors}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const rssBefore = rssMiB(c.pid!);
    let trialSeen: number[] = [];
    let remaining = 0;
    let allSeen: () => void = () => undefined;
    const onEvent = (type: string, at: number) => {
      if (type !== 'kill_switch.engaged') return;
      trialSeen.push(at);
      if (--remaining === 0) allSeen();
    };
    const connectStart = performance.now();
    for (let i = 0; i < SUBSCRIBERS; i += 100) {
      const batch = await Promise.all(Array.from({ length: Math.min(100, SUBSCRIBERS - i) }, () => subscribe(cBase, onEvent)));
      aborts.push(...batch);
    }
    const connectMs = performance.now() - connectStart;
    await new Promise((r) => setTimeout(r, 2000));
    const rssAfter = rssMiB(c.pid!);
    const perDelivery: number[] = [];
    const lastPerTrial: number[] = [];
    for (let trial = 0; trial < FANOUT_TRIALS; trial++) {
      trialSeen = [];
      remaining = SUBSCRIBERS;
      const done = new Promise<void>((resolve) => (allSeen = resolve));
      await post(a.base, '/api/governance/go-live/kill-switch/engage', { reason: `fan-out ${trial}` });
      const ack = performance.now();
      await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${SUBSCRIBERS - remaining} of ${SUBSCRIBERS} saw the engage within 30 s`)), 30_000))]);
      for (const at of trialSeen) perDelivery.push(Math.max(0, at - ack));
      lastPerTrial.push(Math.max(0, Math.max(...trialSeen) - ack));
      await post(a.base, '/api/governance/go-live/kill-switch/release', { reason: `fan-out ${trial}` });
      await new Promise((r) => setTimeout(r, 200));
    }
    process.stdout.write(`\npart 2: ${SUBSCRIBERS} subscribers on one instance (its own process), ${FANOUT_TRIALS} engages through A\n\n`);
    process.stdout.write(
      table([
        { what: 'instance RSS before subscribers (MiB)', value: rssBefore.toFixed(1) },
        { what: `instance RSS with ${SUBSCRIBERS} subscribers (MiB)`, value: rssAfter.toFixed(1) },
        { what: 'per subscriber (KiB)', value: (((rssAfter - rssBefore) * 1024) / SUBSCRIBERS).toFixed(1) },
        { what: `time to connect all (ms)`, value: connectMs.toFixed(0) },
      ]) + '\n\n',
    );
    process.stdout.write(table([row('ack by A -> one subscriber has it', perDelivery), row('ack by A -> every subscriber has it', lastPerTrial)]) + '\n');
    process.stdout.write(`load average (1 min) after part 2: ${loadAverage().toFixed(1)}\n`);
  } catch (err) {
    // Said before the cleanup: stopping Unleash can end the process first (an in-flight poll of a destroyed client).
    process.stderr.write(`bench:stream failed: ${String(err instanceof Error ? err.stack : err)}\n`);
    throw err;
  } finally {
    if (typeof peer !== 'string') {
      peer.client.destroy();
      await peer.server.stop();
    }
    for (const x of aborts) x.abort();
    c.kill('SIGTERM');
    await a.app.close().catch(() => undefined);
    await b.app.close().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    await db.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:stream failed: ${String(err instanceof Error ? err.stack : err)}\n`);
    process.exit(1);
  },
);
