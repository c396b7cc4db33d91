/**
 * Promotion review throughput: evaluations per second against a 100-rule file (menace-style
 * conditions rewritten to CEL, compiled once), for three scorecards:
 *   - all-rules: no file rule fires, so all 100 run and the built-ins promote (the slow path);
 *   - first-rule: the first file rule decides;
 *   - veto: the alignment veto decides before any rule.
 * Also times compiling the file. Pure CPU, no database.
 *
 * Run: npm run bench:promotion   (BENCH_SECONDS=2 to change the time per case)
 */
import { performance } from 'node:perf_hooks';
import { compileRuleFile, evaluatePromotion } from '#promotion';

const RULES = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

function ruleFile(): string {
  const lines: string[] = [];
  for (let i = 0; i < RULES; i += 1) {
    const t = (i / RULES).toFixed(3);
    const kind = i % 4;
    const [decision, condition] =
      kind === 0
        ? ['demote', `confidence is not None and confidence < ${t} * 0.1 and raroi is not None and raroi < 0.01`]
        : kind === 1
          ? ['no_go', `min_scenario is not None and (min_scenario < ${t} * 0.01 or score_variance is not None and score_variance > 10 + ${t})`]
          : kind === 2
            ? ['pilot', `sandbox_roi is not None and adapter_roi is not None and sandbox_roi - adapter_roi > 5 + ${t} and alignment_status == 'pass'`]
            : ['promote', `raroi is not None and raroi > 100 + ${t} and not (confidence is None)`];
    lines.push(`- decision: ${decision}\n  condition: "${condition}"\n  reason_code: rule_${i}`);
  }
  return lines.join('\n');
}

const text = ruleFile();
let t0 = performance.now();
const COMPILES = 20;
for (let i = 0; i < COMPILES; i += 1) compileRuleFile(text);
const compileMs = (performance.now() - t0) / COMPILES;
const rules = compileRuleFile(text);

const base = {
  alignment_status: 'pass',
  security_status: 'pass',
  raroi: 1.3,
  confidence: 0.85,
  sandbox_roi: 0.8,
  adapter_roi: 1.1,
  scenario_scores: { baseline: 0.8, latency: 0.75, hostile: 0.7 },
};
const cases: [string, Record<string, unknown>, string][] = [
  ['all-rules', base, 'promote'],
  ['first-rule', { ...base, confidence: 0.0001, raroi: 0.001 }, 'demote'],
  ['veto', { ...base, alignment_status: 'fail' }, 'demote'],
];
const policy = { max_variance: 0.05 };

console.log(`promotion evaluate: ${RULES}-rule file (+4 built-ins), compile ${compileMs.toFixed(2)} ms per file`);
for (const [name, scorecard, expected] of cases) {
  const check = evaluatePromotion({ scorecard, policy, rules });
  if (check.verdict !== expected) throw new Error(`${name}: expected ${expected}, got ${check.verdict} ${check.reason_codes.join(',')}`);
  for (let i = 0; i < 2000; i += 1) evaluatePromotion({ scorecard, policy, rules }); // warm-up
  let n = 0;
  t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  let now = t0;
  while (now < end) {
    for (let i = 0; i < 500; i += 1) evaluatePromotion({ scorecard, policy, rules });
    n += 500;
    now = performance.now();
  }
  const perSec = n / ((now - t0) / 1000);
  console.log(`  ${name.padEnd(10)} ${Math.round(perSec).toLocaleString('en-US').padStart(10)} evaluations/s  (${(1e6 / perSec).toFixed(1)} µs each, verdict ${check.verdict})`);
}
