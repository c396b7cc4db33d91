/**
 * In-process gate evaluation cost against the number of rules.
 *
 * For 10, 100, 1,000 and 10,000 rules, each matching on a tool name, an identity and a target
 * value (plus a share keyed on identity or target only, and a few unanchored ones), evaluates a
 * mix of intents that hit early rules, late rules and none (default verdict), and prints
 * evaluations/s and p99 latency. The goal: the 10,000/10 cost ratio within 2x (rules are indexed
 * by what they match; see libs/gate/src/decide/rule-index.ts). The linear scan is shown beside it.
 *
 * Run: npm run bench:gate   (BENCH_EVALS=50000 to change the evaluations per size)
 */
import { evaluateIntent, normalizeIntent, normalizePolicy, type GateIntent, type GatePolicy } from '#gate';

const EVALS = Number(process.env.BENCH_EVALS ?? 50_000);
const SIZES = [10, 100, 1_000, 10_000];

function makePolicy(n: number): GatePolicy {
  const rules = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 10;
    const match =
      kind < 7 ? { tool_names: [`tool.op${i}`], identities: [`agent-${i % 50}`], target_values: [`/data/${i}`] }
      : kind < 9 ? { identities: [`svc-${i}`], target_values: [`/data/${i}`] }
      : i % 100 === 9 ? { risk_classes: ['critical'], workspace_prefixes: ['/nowhere'] }
      : { target_values: [`/only/${i}`] };
    rules.push({ name: `rule-${String(i).padStart(5, '0')}`, priority: (i * 7919) % 1000, effect: ['allow', 'block', 'require_approval', 'dry_run'][i % 4], match });
  }
  return normalizePolicy({ schema_id: 'gait.gate.policy', schema_version: '1.0.0', default_verdict: 'require_approval', rules });
}

function makeIntents(n: number): GateIntent[] {
  const out: GateIntent[] = [];
  for (let k = 0; k < 64; k++) {
    // a third hit a rule, a third the same tool with a wrong identity, a third nothing at all
    const i = Math.floor(((k * 2654435761) >>> 0) % n);
    const hit = k % 3 === 0;
    const tool = k % 3 === 2 ? 'tool.unknown' : `tool.op${i}`;
    out.push(
      normalizeIntent({
        tool_name: tool,
        args: { path: `/data/${i}` },
        targets: [{ kind: 'path', value: `/data/${i}`, operation: 'read' }, { kind: 'path', value: '/tmp/scratch', operation: 'read' }],
        arg_provenance: [{ arg_path: '$.path', source: 'user' }],
        context: { identity: hit ? `agent-${i % 50}` : 'agent-x', workspace: '/srv/app', risk_class: 'low' },
      }),
    );
  }
  return out;
}

function run(policy: GatePolicy, intents: GateIntent[], evals: number, linear: boolean) {
  for (let k = 0; k < Math.min(evals, 2_000); k++) evaluateIntent(policy, intents[k % intents.length], { linear }); // warm up
  const lat = new Float64Array(evals);
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < evals; k++) {
    const s = process.hrtime.bigint();
    evaluateIntent(policy, intents[k % intents.length], { linear });
    lat[k] = Number(process.hrtime.bigint() - s) / 1e3;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  lat.sort();
  return { perSecond: evals / seconds, p50: lat[Math.floor(evals * 0.5)], p99: lat[Math.floor(evals * 0.99)] };
}

const rows: { rules: number; indexed: ReturnType<typeof run>; linear: ReturnType<typeof run> }[] = [];
for (const n of SIZES) {
  const policy = makePolicy(n);
  const intents = makeIntents(n);
  evaluateIntent(policy, intents[0]); // builds the index and the policy digest once
  rows.push({ rules: n, indexed: run(policy, intents, EVALS, false), linear: run(policy, intents, Math.max(200, Math.floor(EVALS / Math.max(1, n / 100))), true) });
}
console.log(`gate evaluation in-process (${EVALS} evaluations per size, node ${process.version})`);
console.log('rules    indexed eval/s   p50 µs   p99 µs  |  linear eval/s   p99 µs');
for (const r of rows) {
  console.log(
    `${String(r.rules).padStart(6)}  ${r.indexed.perSecond.toFixed(0).padStart(14)}  ${r.indexed.p50.toFixed(1).padStart(7)}  ${r.indexed.p99.toFixed(1).padStart(7)}  |  ${r.linear.perSecond.toFixed(0).padStart(13)}  ${r.linear.p99.toFixed(1).padStart(7)}`,
  );
}
const first = rows[0].indexed;
const last = rows[rows.length - 1].indexed;
console.log(`ratio 10,000/10 rules (indexed): time per evaluation ${(first.perSecond / last.perSecond).toFixed(2)}x, p99 ${(last.p99 / first.p99).toFixed(2)}x (goal <= 2x)`);
