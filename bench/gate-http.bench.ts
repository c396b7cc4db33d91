/**
 * HTTP gate throughput beside its peer. Three targets, interleaved rounds, medians:
 *   - Warden POST /api/governance/gate/evaluate: an allowed read intent judged by a stored policy;
 *     every request runs all the steps and its decision row commits before the answer;
 *   - the same Warden's trivial authenticated route GET /api/governance/go-live/state;
 *   - the Cerbos PDP (bench/cerbos.ts) judging the same intent under an equivalent policy, with its
 *     local audit log on.
 * Warden runs as production does (`node dist/apps/api/src/main.js`, BENCH_WORKERS as WARDEN_WORKERS;
 * Cerbos uses every core); the load generators run in their own processes.
 * At BENCH_CONNECTIONS it measures req/s (autocannon); at one connection the latency of one request
 * at a time (bench/sequential-client.ts: autocannon's whole milliseconds are too coarse). After each
 * Warden gate round it checks that a committed row exists for every answer received.
 * Goals: gate/Cerbos >= 1.0 at BENCH_CONNECTIONS (req/s) and at one connection (p50);
 * gate/trivial >= 0.5.
 *
 * Run: npm run bench:gate-http
 * Env: BENCH_ROUNDS (default 3), BENCH_SECONDS per run (default 5), BENCH_CONNECTIONS (default 32),
 * BENCH_WORKERS (default 1), DATABASE_URL (else a throwaway embedded PostgreSQL).
 * BENCH_CHAIN=off: the whole run without the audit hash chain; BENCH_CHAIN=compare: the gate alone,
 * chain on and off alternating (ABBA) between BENCH_ROUNDS rounds, paired per round, the on/off
 * ratio's median printed with the load average (docs/audit.md#benchmark). The switch disables the
 * chain's triggers in the bench's own database as its owner (bench/support.ts, setChain).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { cerbosRequest, startCerbos } from './cerbos.js';
import { applyChainSwitch, autocannon, benchDatabase, freePort, loadAverage, median, sequential, setChain, table, waitForHttp, type LoadResult, type SequentialResult } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
// One worker by default: on the shared 2-core machine two workers measured 0.55-0.79x of Cerbos where
// one measured 0.87-1.10x (docs/gate.md, benchmark): PostgreSQL, the load generators and the other work need
// the second core. BENCH_WORKERS=2 (WARDEN_WORKERS) for a machine with cores to spare.
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const TOKEN = 'bench-admin-token-0000000000';

const POLICY = `default_verdict: block
rules:
  - name: allow-reads
    priority: 10
    effect: allow
    match: {tool_names: [tool.read]}
  - name: approve-writes
    priority: 20
    effect: require_approval
    match: {tool_names: [tool.write]}
`;
const INTENT = {
  tool_name: 'tool.read',
  args: { path: '/srv/app/README.md' },
  targets: [{ kind: 'path', value: '/srv/app/README.md', operation: 'read' }],
  arg_provenance: [{ arg_path: '$.path', source: 'user' }],
  context: { identity: 'agent-bench', workspace: '/srv/app', risk_class: 'low' },
};

/** Warden as `npm run start:prod` runs it, with WARDEN_WORKERS workers. */
async function startWarden(databaseUrl: string): Promise<{ base: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join('dist', 'apps', 'api', 'src', 'main.js')], {
    env: { ...process.env, DATABASE_URL: databaseUrl, WARDEN_BOOTSTRAP_TOKEN: TOKEN, LOG_LEVEL: 'warn', JOBS_ENABLED: '0', HOST: '127.0.0.1', PORT: String(port), WARDEN_WORKERS: String(WORKERS) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/api/governance/go-live/state`, 120_000, { headers: { authorization: `Bearer ${TOKEN}` } });
  return {
    base,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

type Variant = 'gate' | 'trivial' | 'cerbos';
const LABEL: Record<Variant, string> = { gate: 'Warden POST /gate/evaluate', trivial: 'Warden GET /go-live/state', cerbos: 'Cerbos POST /api/check/resources' };
const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;

async function main(): Promise<void> {
  const db = await benchDatabase();
  const warden = await startWarden(db.url);
  // After the server's start: its migrations create the chain's triggers in this database.
  const chain = await applyChainSwitch(db.url);
  if (chain === 'compare') {
    try {
      await compareChain(db.url, warden.base);
    } finally {
      await warden.stop();
      await db.stop();
    }
    return;
  }
  const cerbos = await startCerbos();
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  try {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const put = await fetch(`${warden.base}/api/governance/gate/policies/default`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/yaml' }, body: POLICY });
    if (put.status !== 200) throw new Error(`policy PUT answered ${put.status}`);
    const gateBody = JSON.stringify({ intent: INTENT });
    const cerbosBody = cerbosRequest(INTENT);
    const probe = await fetch(`${warden.base}/api/governance/gate/evaluate`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: gateBody });
    if (probe.status !== 200) throw new Error(`evaluate answered ${probe.status}: ${await probe.text()}`);
    const cerbosProbe = (await (await fetch(`${cerbos.url}/api/check/resources`, { method: 'POST', body: cerbosBody })).json()) as { results: Array<{ actions: { invoke: string } }> };
    if (cerbosProbe.results[0].actions.invoke !== 'EFFECT_ALLOW') throw new Error(`Cerbos answered ${JSON.stringify(cerbosProbe)}`);

    const target = (v: Variant) =>
      v === 'gate'
        ? { url: `${warden.base}/api/governance/gate/evaluate`, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: gateBody }
        : v === 'trivial'
          ? { url: `${warden.base}/api/governance/go-live/state`, headers: auth }
          : { url: `${cerbos.url}/api/check/resources`, method: 'POST', headers: { 'content-type': 'application/json' }, body: cerbosBody };
    const rows = async () => Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM gate_decision')).rows[0].n);
    const load = async (v: Variant, seconds = SECONDS, connections = CONNECTIONS): Promise<LoadResult> => {
      const { url, ...opts } = target(v);
      const before = v === 'gate' ? await rows() : 0;
      const r = await autocannon(url, { connections, seconds, ...opts });
      if (v === 'gate') {
        // Let answers in flight when autocannon stopped arrive, then: a committed row for every answer received.
        await new Promise((res) => setTimeout(res, 500));
        const stored = (await rows()) - before;
        if (stored < r.total) throw new Error(`gate: ${r.total} answers but ${stored} decision rows committed`);
        process.stderr.write(`  gate: ${r.total} answers, ${stored} rows committed\n`);
      }
      return r;
    };
    const single = (v: Variant): Promise<SequentialResult> => {
      const { url, ...opts } = target(v);
      return sequential(url, { seconds: SECONDS, ...opts });
    };

    for (const v of ['gate', 'trivial', 'cerbos'] as Variant[]) await load(v, 2);
    const many: Record<Variant, LoadResult[]> = { gate: [], trivial: [], cerbos: [] };
    const one: Record<Variant, SequentialResult[]> = { gate: [], trivial: [], cerbos: [] };
    const loads: number[] = [];
    const orders: Variant[][] = [
      ['gate', 'cerbos', 'trivial'],
      ['cerbos', 'trivial', 'gate'],
      ['trivial', 'gate', 'cerbos'],
    ];
    for (let round = 0; round < ROUNDS; round++) {
      for (const v of orders[round % orders.length]) {
        loads.push(loadAverage());
        const r = await load(v);
        if (r.non2xx || r.errors) throw new Error(`${v}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        many[v].push(r);
        loads.push(loadAverage());
        const s = await single(v);
        if (s.non2xx) throw new Error(`${v} (1 connection): ${s.non2xx} non-2xx`);
        one[v].push(s);
        process.stderr.write(`round ${round + 1}/${ROUNDS} ${v}: ${r.rps.toFixed(0)} req/s p99 ${r.p99} ms; 1 connection p50 ${s.p50.toFixed(3)} ms (load ${loadAverage().toFixed(1)})\n`);
      }
    }
    const rps = (v: Variant) => median(many[v].map((r) => r.rps));
    const p50 = (v: Variant) => median(one[v].map((r) => r.p50));
    const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;
    const row = (v: Variant) => ({
      target: LABEL[v],
      [`req/s at ${CONNECTIONS} (median)`]: rps(v).toFixed(0),
      'req/s spread': spread(many[v].map((r) => r.rps)),
      'p99 ms': median(many[v].map((r) => r.p99)).toFixed(1),
      '1-conn p50 ms': p50(v).toFixed(3),
      '1-conn p99 ms': median(one[v].map((r) => r.p99)).toFixed(3),
    });
    const perRound = (f: (i: number) => number) => Array.from({ length: ROUNDS }, (_, i) => f(i));
    console.log(`\n${cerbos.version.replace(/^/, 'Cerbos ')}; Warden with ${WORKERS} worker(s); chain ${chain}; ${CONNECTIONS} connections and 1 connection; ${ROUNDS} interleaved rounds x ${SECONDS}s each`);
    console.log(`load average during the runs: median ${median(loads).toFixed(1)}, ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}\n`);
    console.log(table([row('gate'), row('cerbos'), row('trivial')]));
    const vsCerbos = rps('gate') / rps('cerbos');
    const vsCerbos1 = p50('cerbos') / p50('gate');
    const vsTrivial = rps('gate') / rps('trivial');
    console.log(`\nWarden gate / Cerbos, req/s at ${CONNECTIONS}: ${vsCerbos.toFixed(2)}x (per round ${range(perRound((i) => many.gate[i].rps / many.cerbos[i].rps))}; goal >= 1.0: ${vsCerbos >= 1 ? 'met' : 'NOT met'})`);
    console.log(`Warden gate / Cerbos, speed at 1 connection (Cerbos p50 / Warden p50): ${vsCerbos1.toFixed(2)}x (per round ${range(perRound((i) => one.cerbos[i].p50 / one.gate[i].p50))}; goal >= 1.0: ${vsCerbos1 >= 1 ? 'met' : 'NOT met'})`);
    console.log(`Warden gate / trivial route, req/s: ${vsTrivial.toFixed(2)}x (per round ${range(perRound((i) => many.gate[i].rps / many.trivial[i].rps))}; goal >= 0.5: ${vsTrivial >= 0.5 ? 'met' : 'NOT met'})`);
  } finally {
    await sql.end().catch(() => undefined);
    await cerbos.stop();
    await warden.stop();
    await db.stop();
  }
}

/**
 * BENCH_CHAIN=compare: the gate route alone, chain on and off in ABBA order within each pair of
 * rounds, seconds apart in one server and one database; the paired on/off ratios (req/s at
 * BENCH_CONNECTIONS, and 1-connection speed) and their median, with the load average.
 */
async function compareChain(url: string, base: string): Promise<void> {
  const auth = { authorization: `Bearer ${TOKEN}` };
  const put = await fetch(`${base}/api/governance/gate/policies/default`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/yaml' }, body: POLICY });
  if (put.status !== 200) throw new Error(`policy PUT answered ${put.status}`);
  const opts = { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ intent: INTENT }) };
  const route = `${base}/api/governance/gate/evaluate`;
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  const rows = async () => Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM gate_decision')).rows[0].n);
  await autocannon(route, { connections: CONNECTIONS, seconds: 2, ...opts });
  type Sample = { rps: number; p99: number; p50one: number; load: number };
  const samples: Record<'on' | 'off', Sample[]> = { on: [], off: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      await setChain(url, side === 'on');
      const load = loadAverage();
      const before = await rows();
      const r = await autocannon(route, { connections: CONNECTIONS, seconds: SECONDS, ...opts });
      if (r.non2xx || r.errors) throw new Error(`chain ${side}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      await new Promise((res) => setTimeout(res, 500));
      const stored = (await rows()) - before;
      if (stored < r.total) throw new Error(`chain ${side}: ${r.total} answers but ${stored} decision rows committed`);
      const s = await sequential(route, { seconds: SECONDS, ...opts });
      if (s.non2xx) throw new Error(`chain ${side} (1 connection): ${s.non2xx} non-2xx`);
      samples[side].push({ rps: r.rps, p99: r.p99, p50one: s.p50, load: (load + loadAverage()) / 2 });
      process.stderr.write(`round ${round + 1}/${ROUNDS} chain ${side}: ${r.rps.toFixed(0)} req/s p99 ${r.p99} ms; 1 connection p50 ${s.p50.toFixed(3)} ms (load ${loadAverage().toFixed(1)})\n`);
    }
  }
  await setChain(url, true);
  await sql.end();
  const loads = [...samples.on, ...samples.off].map((s) => s.load);
  const rps = samples.on.map((s, i) => s.rps / samples.off[i].rps);
  const one = samples.on.map((s, i) => samples.off[i].p50one / s.p50one);
  const row = (side: 'on' | 'off') => ({
    'POST /gate/evaluate': `chain ${side}`,
    [`req/s at ${CONNECTIONS} (median)`]: median(samples[side].map((s) => s.rps)).toFixed(0),
    'req/s spread': `${Math.min(...samples[side].map((s) => s.rps)).toFixed(0)}-${Math.max(...samples[side].map((s) => s.rps)).toFixed(0)}`,
    'p99 ms': median(samples[side].map((s) => s.p99)).toFixed(1),
    '1-conn p50 ms': median(samples[side].map((s) => s.p50one)).toFixed(3),
  });
  console.log(`\nWarden with ${WORKERS} worker(s); ${CONNECTIONS} connections and 1 connection; chain compare: ${ROUNDS} rounds x ${SECONDS}s, on and off ABBA`);
  console.log(`load average during the runs: median ${median(loads).toFixed(1)}, ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}\n`);
  console.log(table([row('on'), row('off')]));
  console.log(`\nchain on/off, req/s at ${CONNECTIONS}: median ${median(rps).toFixed(2)}x (per round ${rps.map((x) => x.toFixed(2)).join(' ')}; spread ${range(rps)}; goal >= 0.95: ${median(rps) >= 0.95 ? 'met' : 'NOT met'})`);
  console.log(`chain on/off, speed at 1 connection (off p50 / on p50): median ${median(one).toFixed(2)}x (per round ${one.map((x) => x.toFixed(2)).join(' ')}; spread ${range(one)})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
