/**
 * Does an evaluation cost the same whatever the KPI history? Times RegressionEvaluationService.evaluate
 * (the whole thing: policy read, state lock, window read, detector, state write, commit) with
 * 10^3, 10^5 and 10^6 events in kpi_event, against a real PostgreSQL.
 *
 * Each size gets its own database on the same server and the sizes are timed round-robin, so a
 * busy machine slows them alike. The evaluated stream holds 90% of the rows; another stream's rows are inserted last, so the
 * table's newest ids are not the evaluated stream's (the case where walking an id-only index
 * backwards would read them all). Goal: flat, within 2x across the range.
 *
 * Run: npm run bench:evaluate   (DATABASE_URL=postgres://... to use an external server — it creates
 *      databases warden_bench_<size> there;
 *      BENCH_REPEATS=300 to change the number of timed evaluations per size)
 */
import 'reflect-metadata';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { loadConfig, startEmbeddedPostgres, SYSTEM_PRINCIPAL, type EmbeddedServer } from '#platform';
import { RegressionEvaluationService, RegressionPolicyService, WINDOW_SQL } from '#regression-tripwire';
import { createApp } from '../apps/api/src/create-app.js';

const SIZES = [1_000, 100_000, 1_000_000];
const REPEATS = Number(process.env.BENCH_REPEATS ?? 300);
const WARMUP = 30;
const DOMAIN = 'BENCH';
const METRIC = 'conv';
const OTHER_SHARE = 0.1;

interface Subject {
  size: number;
  app: NestFastifyApplication;
  db: DataSource;
  tripwire: RegressionEvaluationService;
  times: number[];
  windowTimes: number[];
  status: string;
  loadSeconds: number;
}

/** One database per size on the same server, so the sizes can be timed round-robin under the same load. */
async function subject(baseUrl: string, size: number): Promise<Subject> {
  const name = `warden_bench_${size}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const app = await createApp({
    config: loadConfig({ DATABASE_URL: url.toString(), WARDEN_BOOTSTRAP_TOKEN: 'bench-admin-token-000000000000', LOG_LEVEL: 'silent', JOBS_ENABLED: '0', DB_POOL_SIZE: '4' }),
  });
  const db = app.get<DataSource>(getDataSourceToken());
  const tripwire = app.get(RegressionEvaluationService);
  await app.get(RegressionPolicyService).upsert(SYSTEM_PRINCIPAL, { domain: DOMAIN, metric: METRIC, enabled: true, window_events: 50, baseline_events: 200, min_events: 50, max_drop_fraction: 0.2, action: 'ALERT' });
  await db.query(`INSERT INTO kpi_stream (domain, metric, kind, first_recorded_at) VALUES ($1, $2, 'success_rate', now()) ON CONFLICT DO NOTHING`, [DOMAIN, METRIC]);
  const t0 = performance.now();
  // The evaluated stream first (95% success, spread evenly), then another stream's rows, so the newest ids belong to it.
  const own = Math.round(size * (1 - OTHER_SHARE));
  await db.query(
    `INSERT INTO kpi_event (domain, metric, success, recorded_at, recorded_by) SELECT $1, $2, g % 20 <> 0, now(), 'bench' FROM generate_series(1, $3::int) g`,
    [DOMAIN, METRIC, own],
  );
  await db.query(
    `INSERT INTO kpi_event (domain, metric, success, recorded_at, recorded_by) SELECT 'OTHER', 'conv', g % 2 = 0, now(), 'bench' FROM generate_series(1, $1::int) g`,
    [size - own],
  );
  await db.query(`VACUUM ANALYZE kpi_event`);
  return { size, app, db, tripwire, times: [], windowTimes: [], status: '', loadSeconds: (performance.now() - t0) / 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];

async function main(): Promise<void> {
  let server: EmbeddedServer | undefined;
  let root: string | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    root = await mkdtemp(join(tmpdir(), 'warden-bench-'));
    await chmod(root, 0o755); // initdb runs as the postgres user
    server = await startEmbeddedPostgres(join(root, 'pgdata'));
    url = server.url;
  }
  const subjects: Subject[] = [];
  try {
    for (const size of SIZES) subjects.push(await subject(url, size));
    const version = (await subjects[0].db.query(`SHOW server_version`))[0].server_version as string;
    console.log(
      `evaluate benchmark: PostgreSQL ${version}${server ? ' (embedded)' : ''}, windows 50 vs 200; one database per size, ` +
        `${REPEATS} evaluations each, timed round-robin across the sizes after ${WARMUP} warm-up rounds`,
    );
    for (let round = 0; round < WARMUP + REPEATS; round++) {
      for (const s of subjects) {
        const start = performance.now();
        const r = await s.tripwire.evaluate(SYSTEM_PRINCIPAL, DOMAIN, METRIC);
        const elapsed = performance.now() - start;
        const w0 = performance.now();
        await s.db.query(WINDOW_SQL, [DOMAIN, METRIC, 0, 250]);
        const windowElapsed = performance.now() - w0;
        if (round >= WARMUP) {
          s.times.push(elapsed);
          s.windowTimes.push(windowElapsed);
        }
        s.status = `${r.status} (n ${r.n_current}/${r.n_baseline})`;
      }
    }

    console.log('\n| events in kpi_event | evaluate median ms | evaluate p95 ms | window read median ms | window read plan (EXPLAIN ANALYZE) | verdict | load s |');
    console.log('|---|---|---|---|---|---|---|');
    for (const s of subjects) {
      const [plan] = await s.db.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${WINDOW_SQL}`, [DOMAIN, METRIC, 0, 250]);
      const scan = plan['QUERY PLAN'][0].Plan.Plans[0];
      const buffers = (scan['Shared Hit Blocks'] ?? 0) + (scan['Shared Read Blocks'] ?? 0);
      const count = (await s.db.query(`SELECT count(*)::int AS n FROM kpi_event`))[0].n as number;
      console.log(
        `| ${[
          count.toLocaleString('en-US'),
          median(s.times).toFixed(3),
          p95(s.times).toFixed(3),
          median(s.windowTimes).toFixed(3),
          `${scan['Node Type']}${scan['Scan Direction'] === 'Backward' ? ' Backward' : ''} on ${scan['Index Name']}: ${scan['Actual Rows']} rows, ${buffers} buffers`,
          s.status,
          s.loadSeconds.toFixed(1),
        ].join(' | ')} |`,
      );
    }
    const medians = subjects.map((s) => median(s.times));
    const ratio = Math.max(...medians) / Math.min(...medians);
    console.log(`\nevaluate median max/min ratio across sizes: ${ratio.toFixed(2)}x (goal: within 2x) -> ${ratio <= 2 ? 'flat' : 'NOT flat'}`);
  } finally {
    for (const s of subjects) await s.app.close();
    if (server) await server.stop();
    if (root) await rm(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
