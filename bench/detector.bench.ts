/**
 * How often does the tripwire cry wolf, and how often does it catch a real drop?
 *
 * Simulates KPI streams with a seeded RNG and runs the real detector (`detect`) on the seeded
 * windows (current 50 events vs baseline 200, min_events 50). For each scenario it prints, per
 * evaluation:
 *   - plain threshold:   drop >= max_drop_fraction (alpha null)
 *   - significance test: one-sided p < alpha alone (z-test for rates, Welch for values)
 *   - the tripwire rule: drop >= max_drop_fraction AND p < alpha (what a policy with alpha does)
 * Stationary scenarios give the false-alarm rate per evaluation; drifted ones (10/20/30% relative
 * drop in the current window, baseline clean) the detection rate. A second table follows drifted
 * streams event by event (evaluated every 5 events) and reports whether the tripwire fired within
 * the first 100 events after the change.
 *
 * Run: npm run bench:detector   (BENCH_EVALS=20000 BENCH_STREAMS=2000 BENCH_SEED=42 to change)
 */
import { detect, type DetectorKind } from '#regression-tripwire';

const EVALS = Number(process.env.BENCH_EVALS ?? 20_000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 2_000);
const SEED = Number(process.env.BENCH_SEED ?? 42);
const WINDOW = 50;
const BASELINE = 200;
const MIN_EVENTS = 50;
const THRESHOLD = 0.2; // WHOLESALE/contract_rate
const ALPHAS = [0.1, 0.05, 0.01, 0.005, 0.001];

/** sfc32: small, fast, good enough for simulation, fully determined by the seed. */
function rng(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 20; i++) next();
  return next;
}

interface Scenario {
  name: string;
  kind: DetectorKind;
  /** Draws one event; `factor` scales the KPI (1 = baseline, 0.8 = a 20% drop). */
  draw(random: () => number, factor: number): number;
}

const rate = (p: number): Scenario => ({
  name: `success ${Math.round(p * 100)}%`,
  kind: 'success_rate',
  draw: (r, f) => (r() < p * f ? 1 : 0),
});

const normal = (mean: number, sd: number): Scenario => {
  let spare: number | null = null;
  return {
    name: `value N(${mean},${sd})`,
    kind: 'mean_value',
    draw: (r, f) => {
      let z: number;
      if (spare !== null) {
        z = spare;
        spare = null;
      } else {
        const u = 1 - r();
        const v = r();
        const m = Math.sqrt(-2 * Math.log(u));
        z = m * Math.cos(2 * Math.PI * v);
        spare = m * Math.sin(2 * Math.PI * v);
      }
      return (mean + sd * z) * f;
    },
  };
};

const exponential = (mean: number): Scenario => ({
  name: `value Exp(mean ${mean})`,
  kind: 'mean_value',
  draw: (r, f) => -Math.log(1 - r()) * mean * f,
});

const SCENARIOS = [rate(0.3), rate(0.5), rate(0.8), rate(0.95), normal(100, 30), exponential(100)];
const DROPS = [0, 0.1, 0.2, 0.3];

/** What one evaluation saw: the observed relative drop and the one-sided p-value. */
interface Observation {
  drop: number;
  p: number;
}

function observe(kind: DetectorKind, baseline: number[], current: number[]): Observation {
  const v = detect({ kind, baseline, current }, { enabled: true, min_events: MIN_EVENTS, max_drop_fraction: 1, alpha: null });
  if (v.status === 'insufficient_data') throw new Error('windows too small');
  return { drop: v.drop ?? Infinity, p: v.p_value ?? 1 };
}

/** A detector: the plain threshold (alpha null), the significance test alone (tau null), or the tripwire rule (both). */
interface Detector {
  label: string;
  tau: number | null;
  alpha: number | null;
}
// Same tolerance as detect(): a drop of exactly tau counts.
const fires = (d: Detector, o: Observation) => (d.tau === null || o.drop >= d.tau - 1e-9) && (d.alpha === null || o.p < d.alpha);

/** Independent windows: `EVALS` evaluations of a current window drawn after the drop against a clean baseline. */
function perEvaluation(s: Scenario, drop: number, random: () => number): Observation[] {
  const out: Observation[] = [];
  const baseline = new Array<number>(BASELINE);
  const current = new Array<number>(WINDOW);
  for (let i = 0; i < EVALS; i++) {
    for (let j = 0; j < BASELINE; j++) baseline[j] = s.draw(random, 1);
    for (let j = 0; j < WINDOW; j++) current[j] = s.draw(random, 1 - drop);
    out.push(observe(s.kind, baseline, current));
  }
  return out;
}

const CHANGE_HORIZON = 100;
const EVERY = 5;

/** Streams that drift at event 0, evaluated every EVERY events up to CHANGE_HORIZON events after the change (the baseline slowly absorbs the drift, as in production). */
function perStream(s: Scenario, drop: number, random: () => number): Observation[][] {
  const out: Observation[][] = [];
  const events = new Array<number>(WINDOW + BASELINE + CHANGE_HORIZON);
  for (let i = 0; i < STREAMS; i++) {
    for (let j = 0; j < events.length; j++) events[j] = s.draw(random, j < WINDOW + BASELINE ? 1 : 1 - drop);
    const evaluations: Observation[] = [];
    for (let k = EVERY; k <= CHANGE_HORIZON; k += EVERY) {
      const end = WINDOW + BASELINE + k;
      evaluations.push(observe(s.kind, events.slice(end - WINDOW - BASELINE, end - WINDOW), events.slice(end - WINDOW, end)));
    }
    out.push(evaluations);
  }
  return out;
}

const pct = (x: number) => {
  const v = 100 * x;
  return v === 0 ? '0' : v < 0.1 ? '<0.1' : v.toFixed(1);
};
const rateOf = (d: Detector, obs: Observation[]) => obs.filter((o) => fires(d, o)).length / obs.length;
const streamRateOf = (d: Detector, streams: Observation[][]) => streams.filter((evs) => evs.some((o) => fires(d, o))).length / streams.length;

function printTable(title: string, header: string[], rows: string[][]): void {
  console.log(`\n${title}\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

const started = Date.now();
const random = rng(SEED);
console.log(`detector benchmark: windows ${WINDOW} (current) vs ${BASELINE} (baseline), min_events ${MIN_EVENTS}, seed ${SEED}`);
console.log('drop = relative drop of the KPI in the current window (success probability or mean value times 1 - drop)');

const evalRuns = DROPS.flatMap((drop) => SCENARIOS.map((s) => ({ s, drop, obs: perEvaluation(s, drop, random) })));
const streamRuns = DROPS.filter((d) => d > 0).flatMap((drop) => SCENARIOS.map((s) => ({ s, drop, streams: perStream(s, drop, random) })));
const label = (s: Scenario, drop: number) => `${s.name}, ${drop === 0 ? 'stationary' : `${drop * 100}% drop`}`;

const main: Detector[] = [
  { label: `plain τ=${THRESHOLD}`, tau: THRESHOLD, alpha: null },
  ...ALPHAS.map((a) => ({ label: `sig α=${a}`, tau: null, alpha: a })),
  ...ALPHAS.map((a) => ({ label: `τ=${THRESHOLD} + α=${a}`, tau: THRESHOLD, alpha: a })),
];
printTable(
  `1. Per evaluation, % that trigger (${EVALS} independent evaluations each): stationary rows are the false-alarm rate, drop rows the detection rate. "plain" = threshold only, "sig" = significance test only, "τ + α" = the tripwire rule with alpha set`,
  ['scenario', ...main.map((d) => d.label)],
  evalRuns.map((r) => [label(r.s, r.drop), ...main.map((d) => pct(rateOf(d, r.obs)))]),
);
printTable(
  `2. Per drifted stream, % where it fired at some evaluation (every ${EVERY} events, within ${CHANGE_HORIZON} events of the change; ${STREAMS} streams each)`,
  ['scenario', ...main.map((d) => d.label)],
  streamRuns.map((r) => [label(r.s, r.drop), ...main.map((d) => pct(streamRateOf(d, r.streams)))]),
);

// The seeded policies use thresholds 0.15 / 0.20 / 0.25 (success rates) and 0.30 (roi_event, values).
const stationary = evalRuns.filter((r) => r.drop === 0);
const worst = (d: Detector, kind: DetectorKind) => Math.max(...stationary.filter((r) => r.s.kind === kind).map((r) => rateOf(d, r.obs)));
printTable(
  '3. Worst false-alarm rate per evaluation over the stationary scenarios, per seeded threshold (success rates | values)',
  ['max_drop_fraction', 'plain', ...ALPHAS.map((a) => `α=${a}`)],
  [0.15, 0.2, 0.25, 0.3].map((tau) => [
    String(tau),
    ...[null, ...ALPHAS].map((alpha) => `${pct(worst({ label: '', tau, alpha }, 'success_rate'))} \\| ${pct(worst({ label: '', tau, alpha }, 'mean_value'))}`),
  ]),
);

// The goal: false alarms <= 1% per evaluation (every stationary scenario) while a 20% drop at a
// 95% base rate is caught >= 99% of the time.
const target = evalRuns.find((r) => r.drop === 0.2 && r.s.name === 'success 95%')!;
const targetStreams = streamRuns.find((r) => r.drop === 0.2 && r.s.name === 'success 95%')!;
const goalDetectors: Detector[] = [
  ...main,
  ...ALPHAS.map((a) => ({ label: `τ=0.1 + α=${a}`, tau: 0.1, alpha: a })),
];
printTable(
  '4. Goal check: worst false-alarm rate per evaluation (all stationary scenarios) vs a 20% drop at a 95% base rate caught, per evaluation and per stream',
  ['detector', 'worst false alarms', 'caught per evaluation', 'caught per stream', 'goal met (per evaluation | per stream)'],
  goalDetectors.map((d) => {
    const fa = Math.max(worst(d, 'success_rate'), worst(d, 'mean_value'));
    const faSuccess = worst(d, 'success_rate');
    const once = rateOf(d, target.obs);
    const stream = streamRateOf(d, targetStreams.streams);
    const ok = (caught: number) => (fa <= 0.01 && caught >= 0.99 ? 'yes' : faSuccess <= 0.01 && caught >= 0.99 ? 'rates only' : 'no');
    return [d.label, `${pct(fa)}% (rates ${pct(faSuccess)}%)`, `${pct(once)}%`, `${pct(stream)}%`, `${ok(once)} \\| ${ok(stream)}`];
  }),
);
console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)`);
