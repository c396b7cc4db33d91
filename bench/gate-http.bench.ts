/**
 * HTTP gate throughput: POST /api/governance/gate/evaluate (an allowed read intent judged by a
 * stored policy; every request runs all six steps and stores its decision) against the same app's
 * trivial authenticated route GET /api/governance/go-live/state, interleaved rounds, medians.
 * Goal: gate throughput at least half of the trivial route's.
 *
 * Run: npm run build && node dist/bench/gate-http.bench.js
 * Env: BENCH_ROUNDS (default 3), BENCH_SECONDS per run (default 5), BENCH_CONNECTIONS (default 32),
 * BENCH_CHAIN=off (the run without the audit hash chain) or compare (chain on and off alternating
 * within the run, paired per round: docs/audit.md#benchmark).
 */
import 'reflect-metadata';
import { loadConfig } from '#platform';
import { createApp } from '../apps/api/src/create-app.js';
import { applyChainSwitch, autocannon, benchDatabase, median, setChain, table, type LoadResult } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
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

async function main(): Promise<void> {
  const db = await benchDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, WARDEN_BOOTSTRAP_TOKEN: TOKEN, LOG_LEVEL: 'warn', JOBS_ENABLED: '0' });
  const app = await createApp({ config });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const chain = await applyChainSwitch(db.url);
  const address = app.getHttpServer().address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const auth = { authorization: `Bearer ${TOKEN}` };

  const put = await fetch(`${base}/api/governance/gate/policies/default`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/yaml' }, body: POLICY });
  if (put.status !== 200) throw new Error(`policy PUT answered ${put.status}`);
  const body = JSON.stringify({ intent: INTENT });
  const probe = await fetch(`${base}/api/governance/gate/evaluate`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
  if (probe.status !== 200) throw new Error(`evaluate answered ${probe.status}: ${await probe.text()}`);

  // With BENCH_CHAIN=compare a third variant, the gate with the chain's triggers off, joins each round.
  type Variant = 'gate' | 'gate-nochain' | 'trivial';
  const variants: Variant[] = chain === 'compare' ? ['gate', 'gate-nochain', 'trivial'] : ['gate', 'trivial'];
  const run = async (v: Variant, seconds = SECONDS) => {
    if (chain === 'compare' && v !== 'trivial') await setChain(db.url, v === 'gate');
    return v === 'trivial'
      ? autocannon(`${base}/api/governance/go-live/state`, { connections: CONNECTIONS, seconds, headers: auth })
      : autocannon(`${base}/api/governance/gate/evaluate`, { connections: CONNECTIONS, seconds, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
  };
  for (const v of variants) await run(v, 2);

  const results: Record<Variant, LoadResult[]> = { gate: [], 'gate-nochain': [], trivial: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Rotated each round, so no variant always runs first or last.
    for (const v of variants.map((_, i) => variants[(i + round) % variants.length])) {
      const r = await run(v);
      if (r.non2xx || r.errors) throw new Error(`${v}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      results[v].push(r);
      process.stderr.write(`round ${round + 1}/${ROUNDS} ${v}: ${r.rps.toFixed(0)} req/s p99 ${r.p99} ms\n`);
    }
  }
  const ROUTES: Record<Variant, string> = { gate: 'POST /gate/evaluate', 'gate-nochain': 'POST /gate/evaluate, chain off', trivial: 'GET /go-live/state' };
  const row = (v: Variant) => ({
    route: ROUTES[v],
    'req/s (median)': median(results[v].map((r) => r.rps)).toFixed(0),
    'p50 ms': median(results[v].map((r) => r.p50)).toFixed(1),
    'p99 ms': median(results[v].map((r) => r.p99)).toFixed(1),
  });
  const ratio = median(results.gate.map((r) => r.rps)) / median(results.trivial.map((r) => r.rps));
  console.log(`\n${CONNECTIONS} connections, ${ROUNDS} interleaved rounds x ${SECONDS}s each; chain ${chain}\n`);
  console.log(table(variants.map(row)));
  console.log(`\nthroughput ratio gate/trivial: ${ratio.toFixed(3)}  (goal >= 0.5)`);
  if (chain === 'compare') {
    const paired = results.gate.map((r, i) => r.rps / results['gate-nochain'][i].rps);
    console.log(`chain on/off, per round: ${paired.map((x) => x.toFixed(3)).join(' ')}; median ${median(paired).toFixed(3)}  (goal >= 0.95)`);
  }
  // Let requests autocannon left in flight finish before the pool closes.
  await new Promise((r) => setTimeout(r, 1000));
  await app.close();
  await db.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
