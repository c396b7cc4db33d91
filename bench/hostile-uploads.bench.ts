/**
 * `/health` while hostile policies are uploaded (issue 17, D: "nothing a user writes can freeze
 * Warden"). For BENCH_SECONDS (default 20) BENCH_UPLOADERS loops (default 4) upload, in turn, the
 * worst gate policies and promotion rule files: the largest accepted of each (stored, the costliest
 * full parse and normalisation) and the rejected ones (alias bombs, deep nesting, wide expansions,
 * over-limit files, the ReDoS rule), while one prober asks `GET /health` every 20 ms. Before that, the
 * same probing for BENCH_IDLE_SECONDS (default 5) with no uploads, as the baseline.
 * Prints /health p50/p99/max, the longest event-loop stall, the uploads per file and their answers,
 * and the load average. Goal (the issue's): /health never stalls over a second.
 *
 * Warden runs in this process (createApp), so `monitorEventLoopDelay` measures the server's own
 * event loop; a parse that held it would delay the prober's answer by as much.
 * The files mirror test/support/factories/gate-policies.ts and test/promotion-hardening.e2e.spec.ts
 * (tests are not part of the bench build).
 *
 * Run: npm run bench:hostile-uploads. Env: BENCH_SECONDS, BENCH_IDLE_SECONDS, BENCH_UPLOADERS,
 * DATABASE_URL (else a throwaway embedded PostgreSQL).
 */
import 'reflect-metadata';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { POLICY_LIMITS } from '#gate';
import { loadConfig } from '#platform';
import { createApp } from '../apps/api/src/create-app.js';
import { benchDatabase, loadAverage, table } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 5);
const UPLOADERS = Number(process.env.BENCH_UPLOADERS ?? 4);
const TOKEN = 'bench-admin-token-0000000000';

function billionLaughs(list = false): string {
  const lol = '["lol","lol","lol","lol","lol","lol","lol","lol","lol"]';
  if (list) {
    // A rule file is a YAML list.
    let y = `- &a ${lol}\n`;
    let prev = 'a';
    for (const n of 'bcdefghi') {
      y += `- &${n} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
      prev = n;
    }
    return y;
  }
  let y = `a: &a ${lol}\n`;
  let prev = 'a';
  for (const n of 'bcdefghi') {
    y += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    prev = n;
  }
  return `${y}rules: *${prev}\n`;
}

function largestAcceptedPolicy(): string {
  const rule = (i: number) => `  - name: r${i}\n    priority: ${i}\n    effect: allow\n    match: {tool_names: [t.op${i}], identities: [a${i}]}\n`;
  let y = 'default_verdict: block\nrules:\n';
  for (let i = 0; i < POLICY_LIMITS.max_rules && y.length + rule(i).length <= POLICY_LIMITS.max_bytes; i++) y += rule(i);
  return y;
}

function worstAcceptedRuleFile(): string {
  const cond = Array.from({ length: 60 }, (_, i) => `raroi > ${i}`).join(' and ').slice(0, 495).replace(/ and [^d]*$/, '');
  return Array.from({ length: 100 }, () => `- decision: no_go\n  condition: "${cond}"\n`).join('');
}

interface Upload {
  what: string;
  kind: 'gate policy' | 'rule file';
  expect: 200 | 400;
  body: string;
}

const UPLOADS: Upload[] = [
  { what: 'largest accepted policy', kind: 'gate policy', expect: 200, body: largestAcceptedPolicy() },
  { what: 'alias bomb', kind: 'gate policy', expect: 400, body: billionLaughs() },
  { what: 'nested brackets (60k)', kind: 'gate policy', expect: 400, body: `rules: ${'['.repeat(60_000)}${']'.repeat(60_000)}` },
  { what: '"- - -" x 60k', kind: 'gate policy', expect: 400, body: `rules:\n${'- '.repeat(60_000)}x\n` },
  { what: 'wide alias expansion', kind: 'gate policy', expect: 400, body: `x: &x [${Array(2000).fill('v').join(',')}]\ny: [${Array(60).fill('*x').join(',')}]\n` },
  { what: 'over max_bytes', kind: 'gate policy', expect: 400, body: `# ${'x'.repeat(POLICY_LIMITS.max_bytes)}\nrules: []\n` },
  {
    what: 'over max_rules',
    kind: 'gate policy',
    expect: 400,
    body: `rules:\n${Array.from({ length: POLICY_LIMITS.max_rules + 1 }, (_, i) => `  - {name: r${i}, effect: allow}`).join('\n')}\n`,
  },
  { what: 'worst accepted rule file', kind: 'rule file', expect: 200, body: worstAcceptedRuleFile() },
  { what: 'ReDoS cel rule', kind: 'rule file', expect: 400, body: `- decision: no_go\n  cel: 'security_status.matches("^(a+)+$")'\n  reason_code: redos\n` },
  { what: 'alias bomb', kind: 'rule file', expect: 400, body: billionLaughs(true) },
  { what: '[ x 20k', kind: 'rule file', expect: 400, body: '['.repeat(20_000) },
  { what: '"x: " x 20k', kind: 'rule file', expect: 400, body: 'x: '.repeat(20_000) },
];

const percentile = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] : NaN);

async function main(): Promise<void> {
  const db = await benchDatabase();
  const app = await createApp({ config: loadConfig({ DATABASE_URL: db.url, WARDEN_BOOTSTRAP_TOKEN: TOKEN, LOG_LEVEL: 'error', JOBS_ENABLED: '0' }) });
  let failed: boolean | undefined;
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const auth = { authorization: `Bearer ${TOKEN}` };
    let n = 0;
    const upload = async (u: Upload): Promise<{ status: number; ms: number }> => {
      const started = performance.now();
      const res =
        u.kind === 'gate policy'
          ? await fetch(`${base}/api/governance/gate/policies/hostile-${n++}`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/yaml' }, body: u.body })
          : await fetch(`${base}/api/governance/heimdall/promotion/rules`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ source: u.body, reason: 'bench' }) });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - started };
    };

    const probe = async (seconds: number) => {
      const ms: number[] = [];
      let bad = 0;
      const stalls = monitorEventLoopDelay({ resolution: 10 });
      stalls.enable();
      const loads = [loadAverage()];
      const until = Date.now() + seconds * 1000;
      while (Date.now() < until) {
        const started = performance.now();
        const res = await fetch(`${base}/health`);
        await res.arrayBuffer();
        ms.push(performance.now() - started);
        if (res.status !== 200) bad++;
        await new Promise((r) => setTimeout(r, 20));
      }
      stalls.disable();
      loads.push(loadAverage());
      return { ms, bad, stallMs: stalls.max / 1e6, load: (loads[0] + loads[1]) / 2 };
    };

    // Warm-up: each file once (first parse compiles code paths), and a check that each answers as expected.
    for (const u of UPLOADS) {
      const r = await upload(u);
      if (r.status !== u.expect) throw new Error(`${u.kind} "${u.what}" answered ${r.status}, expected ${u.expect}`);
    }

    process.stderr.write(`idle: /health for ${IDLE_SECONDS} s...\n`);
    const idle = await probe(IDLE_SECONDS);

    process.stderr.write(`hostile: ${UPLOADERS} upload loops for ${SECONDS} s while probing /health...\n`);
    const stats = UPLOADS.map(() => ({ count: 0, wrong: 0, ms: [] as number[] }));
    let stop = false;
    const uploader = async (offset: number) => {
      for (let i = offset; !stop; i++) {
        const k = i % UPLOADS.length;
        const r = await upload(UPLOADS[k]);
        stats[k].count++;
        stats[k].ms.push(r.ms);
        if (r.status !== UPLOADS[k].expect) stats[k].wrong++;
      }
    };
    const loops = Array.from({ length: UPLOADERS }, (_, i) => uploader(Math.floor((i * UPLOADS.length) / UPLOADERS)));
    const hostile = await probe(SECONDS);
    stop = true;
    await Promise.all(loops);

    const row = (label: string, p: Awaited<ReturnType<typeof probe>>) => ({
      phase: label,
      probes: p.ms.length,
      'non-200': p.bad,
      'p50 ms': percentile(p.ms, 0.5).toFixed(1),
      'p99 ms': percentile(p.ms, 0.99).toFixed(1),
      'max ms': Math.max(...p.ms).toFixed(1),
      'longest event-loop stall ms': p.stallMs.toFixed(0),
      load: p.load.toFixed(1),
    });
    console.log(`\n/health while hostile files are uploaded: ${UPLOADERS} upload loops, ${SECONDS} s (baseline ${IDLE_SECONDS} s idle); probe every 20 ms; Warden in this process`);
    console.log(`load average: ${idle.load.toFixed(1)} idle, ${hostile.load.toFixed(1)} during the uploads\n`);
    console.log(table([row('idle', idle), row(`hostile uploads x ${UPLOADERS}`, hostile)]));
    console.log('');
    console.log(
      table(
        UPLOADS.map((u, k) => ({
          file: `${u.kind}: ${u.what}`,
          bytes: Buffer.byteLength(u.body),
          expected: u.expect,
          uploads: stats[k].count,
          'other answers': stats[k].wrong,
          'upload p50 ms': percentile(stats[k].ms, 0.5).toFixed(0),
          'upload max ms': stats[k].count ? Math.max(...stats[k].ms).toFixed(0) : 'n/a',
        })),
      ),
    );
    const worst = Math.max(...hostile.ms);
    console.log(`\n/health max during the uploads: ${worst.toFixed(0)} ms; longest stall ${hostile.stallMs.toFixed(0)} ms (goal: under 1000 ms: ${worst < 1000 && hostile.stallMs < 1000 ? 'met' : 'NOT met'})`);
    failed = hostile.bad > 0 || stats.some((s) => s.wrong > 0);
    if (failed) console.log('FAILED: a /health probe was not 200, or an upload was not answered as expected');
  } finally {
    await app.close();
    await db.stop();
  }
  if (failed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
