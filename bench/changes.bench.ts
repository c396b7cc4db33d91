/**
 * Change governance: decisions/s and p99 for a 50-path change against a 200-pattern policy, in
 * process (parseChange + decideChange, what POST /changes and `warden change check` run) and over
 * HTTP (POST /api/governance/changes, each request stored); and the in-process cost as the policy
 * grows from 10 to 1,000 patterns. Patterns are indexed by their literal prefix
 * (libs/changes/src/decide/pattern-set.ts), so the cost should stay flat; a pattern that begins
 * with a wildcard is tried for every path, and the policy here keeps Autopack's few of those.
 *
 * Run: npm run bench:changes   (BENCH_DECISIONS, BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ROUNDS)
 */
import 'reflect-metadata';
import { compilePolicy, decideChange, DEFAULT_POLICY, parseChange, type ChangePolicy, type CompiledPolicy } from '#changes';
import { loadConfig } from '#platform';
import { stringify } from 'yaml';
import { createApp } from '../apps/api/src/create-app.js';
import { autocannon, benchDatabase, median, table, type LoadResult } from './support.js';

const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 20_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TOKEN = 'bench-admin-token-0000000000';

/** Autopack's policy grown to `total` patterns: never-auto-approve, risk levels and allow-list entries of real shapes. */
function policyOf(total: number): ChangePolicy {
  const p: ChangePolicy = structuredClone(DEFAULT_POLICY.policy);
  const count = () => p.never_auto_approve.length + Object.values(p.risk_levels).reduce((n, l) => n + l.length, 0) + p.auto_approve.paths.length + p.risk_scorer.protected_paths.length;
  for (let i = 0; count() < total; i++) {
    switch (i % 5) {
      case 0: p.never_auto_approve.push(`services/svc${i}/secrets/*`); break;
      case 1: p.risk_levels.high.push(`services/svc${i}/*.py`); break;
      case 2: p.risk_levels.critical.push(`migrations/m${i}_*.sql`); break;
      case 3: p.auto_approve.paths.push(`packages/pkg${i}/tests/test_*.py`); break;
      default: p.never_auto_approve.push(`deploy/env${i}.yaml`);
    }
  }
  // Fewer than Autopack's own 26: drop from the lists the bench change never matches.
  for (const list of [p.never_auto_approve, p.risk_scorer.protected_paths, p.risk_levels.critical, p.risk_levels.high]) while (count() > total && list.length) list.pop();
  return p;
}

/** 50 paths: allow-listed tests and docs (so the change is decided to the last path, tier 1). */
const CHANGE = {
  run_id: 'bench-run',
  phase_id: 'p1',
  paths: Array.from({ length: 50 }, (_, i) => (i % 2 ? `tests/test_mod${i}.py` : `docs/guide/part${i}.md`)),
  diff_stats: { lines_changed: 80, lines_removed: 10 },
  justification: 'bench',
  task_category: 'tests',
};

function inProcess(compiled: CompiledPolicy, n: number) {
  const body = structuredClone(CHANGE);
  for (let k = 0; k < 500; k++) decideChange(compiled, parseChange(body)); // warm up
  const lat = new Float64Array(n);
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < n; k++) {
    const s = process.hrtime.bigint();
    const d = decideChange(compiled, parseChange(body));
    if (!d.auto_approved) throw new Error('the bench change must be auto-approved');
    lat[k] = Number(process.hrtime.bigint() - s) / 1e3;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  lat.sort();
  return { perSecond: n / seconds, p50: lat[Math.floor(n * 0.5)], p99: lat[Math.floor(n * 0.99)] };
}

async function overHttp(): Promise<{ result: LoadResult; patterns: number }> {
  const db = await benchDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, WARDEN_BOOTSTRAP_TOKEN: TOKEN, LOG_LEVEL: 'warn', JOBS_ENABLED: '0' });
  const app = await createApp({ config });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const put = await fetch(`${base}/api/governance/changes/policy?activate=true`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/yaml' }, body: stringify(policyOf(200)) });
    if (put.status !== 200) throw new Error(`policy PUT answered ${put.status}: ${await put.text()}`);
    const body = JSON.stringify(CHANGE);
    const probe = await fetch(`${base}/api/governance/changes`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
    if (probe.status !== 201) throw new Error(`POST /changes answered ${probe.status}: ${await probe.text()}`);
    const run = (seconds: number) => autocannon(`${base}/api/governance/changes`, { connections: CONNECTIONS, seconds, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
    await run(2);
    const results: LoadResult[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const res = await run(SECONDS);
      if (res.non2xx || res.errors) throw new Error(`${res.non2xx} non-2xx, ${res.errors} errors`);
      results.push(res);
      process.stderr.write(`http round ${r + 1}/${ROUNDS}: ${res.rps.toFixed(0)} req/s p99 ${res.p99} ms\n`);
    }
    return { result: { rps: median(results.map((r) => r.rps)), p50: median(results.map((r) => r.p50)), p99: median(results.map((r) => r.p99)), non2xx: 0, errors: 0, total: results.reduce((n, r) => n + r.total, 0) }, patterns: 200 };
  } finally {
    await app.close();
    await db.stop();
  }
}

async function main(): Promise<void> {
  const sizes = [10, 100, 200, 1_000].map((n) => ({ n, compiled: compilePolicy(policyOf(n)) }));
  const rows = sizes.map(({ n, compiled }) => {
    const r = inProcess(compiled, DECISIONS);
    return { patterns: n, 'decisions/s': r.perSecond.toFixed(0), 'p50 µs': r.p50.toFixed(1), 'p99 µs': r.p99.toFixed(1) };
  });
  console.log(`\nIn process: a 50-path change (parse + decide), ${DECISIONS} decisions per size\n`);
  console.log(table(rows));
  const ratio = Number(rows[0]['decisions/s']) / Number(rows[rows.length - 1]['decisions/s']);
  console.log(`\ncost at 1,000 patterns / cost at 10: ${ratio.toFixed(2)}x\n`);

  const http = await overHttp();
  console.log(`Over HTTP: POST /api/governance/changes, 50 paths, ${http.patterns}-pattern policy, ${CONNECTIONS} connections, median of ${ROUNDS} x ${SECONDS}s\n`);
  console.log(table([{ route: 'POST /changes (tier 1, stored)', 'req/s': http.result.rps.toFixed(0), 'p50 ms': http.result.p50.toFixed(1), 'p99 ms': http.result.p99.toFixed(1) }]));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
