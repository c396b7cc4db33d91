/**
 * Does an evaluation cost the same whatever the KPI history? Times RegressionTripwireService.evaluate
 * (the whole thing: policy read, state lock, window read, detector, state write, commit) with
 * 10^3, 10^5 and 10^6 events in kpi_event, against a real PostgreSQL.
 *
 * The evaluated stream holds 90% of the rows; another stream's rows are inserted last, so the
 * table's newest ids are not the evaluated stream's (the case where walking an id-only index
 * backwards would read them all). Goal: flat, within 2x across the range.
 *
 * Run: npm run bench:evaluate   (DATABASE_URL=postgres://... to use an external server;
 *      BENCH_REPEATS=300 to change the number of timed evaluations per size)
 */
import 'reflect-metadata';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { loadConfig, startEmbeddedPostgres, SYSTEM_PRINCIPAL, type EmbeddedServer } from '#platform';
import { RegressionTripwireService, WINDOW_SQL } from '#regression-tripwire';
import { createApp } from '../apps/api/src/create-app.js';

const SIZES = [1_000, 100_000, 1_000_000];
const REPEATS = Number(process.env.BENCH_REPEATS ?? 300);
const WARMUP = 30;
const DOMAIN = 'BENCH';
const METRIC = 'conv';
const OTHER_SHARE = 0.1;

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
  const app = await createApp({
    config: loadConfig({ DATABASE_URL: url, WARDEN_BOOTSTRAP_TOKEN: 'bench-admin-token-000000000000', LOG_LEVEL: 'silent', JOBS_ENABLED: '0' }),
  });
  try {
    const db = app.get<DataSource>(getDataSourceToken());
    const tripwire = app.get(RegressionTripwireService);
    const version = (await db.query(`SHOW server_version`))[0].server_version as string;
    console.log(`evaluate benchmark: PostgreSQL ${version}${server ? ' (embedded)' : ''}, windows 50 vs 200, ${REPEATS} timed evaluations per size after ${WARMUP} warm-up`);

    await tripwire.upsertPolicy(SYSTEM_PRINCIPAL, {
      domain: DOMAIN,
      metric: METRIC,
      enabled: true,
      window_events: 50,
      baseline_events: 200,
      min_events: 50,
      max_drop_fraction: 0.2,
      action: 'ALERT',
    });
    await db.query(`INSERT INTO kpi_stream (domain, metric, kind, first_recorded_at) VALUES ($1, $2, 'success_rate', now()) ON CONFLICT DO NOTHING`, [DOMAIN, METRIC]);

    const rows: string[][] = [];
    let loaded = 0;
    for (const size of SIZES) {
      const add = size - loaded;
      const t0 = performance.now();
      // The evaluated stream first (95% success, spread evenly), then another stream's rows, so the newest ids belong to it.
      await db.query(
        `INSERT INTO kpi_event (domain, metric, success, recorded_at, recorded_by)
         SELECT $1, $2, g % 20 <> 0, now(), 'bench' FROM generate_series(1, $3::int) g`,
        [DOMAIN, METRIC, Math.round(add * (1 - OTHER_SHARE))],
      );
      await db.query(
        `INSERT INTO kpi_event (domain, metric, success, recorded_at, recorded_by)
         SELECT 'OTHER', 'conv', g % 2 = 0, now(), 'bench' FROM generate_series(1, $1::int) g`,
        [add - Math.round(add * (1 - OTHER_SHARE))],
      );
      await db.query(`VACUUM ANALYZE kpi_event`);
      loaded = size;
      const loadSeconds = (performance.now() - t0) / 1000;

      for (let i = 0; i < WARMUP; i++) await tripwire.evaluate(SYSTEM_PRINCIPAL, DOMAIN, METRIC);
      const times: number[] = [];
      let status = '';
      for (let i = 0; i < REPEATS; i++) {
        const start = performance.now();
        const r = await tripwire.evaluate(SYSTEM_PRINCIPAL, DOMAIN, METRIC);
        times.push(performance.now() - start);
        status = `${r.status} (n ${r.n_current}/${r.n_baseline})`;
      }
      times.sort((a, b) => a - b);
      const [plan] = await db.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${WINDOW_SQL}`, [DOMAIN, METRIC, 0, 250]);
      const scan = plan['QUERY PLAN'][0].Plan.Plans[0];
      const buffers = (scan['Shared Hit Blocks'] ?? 0) + (scan['Shared Read Blocks'] ?? 0);
      const count = (await db.query(`SELECT count(*)::int AS n FROM kpi_event`))[0].n as number;
      rows.push([
        count.toLocaleString('en-US'),
        (times[Math.floor(times.length / 2)]).toFixed(3),
        (times[Math.floor(times.length * 0.95)]).toFixed(3),
        `${scan['Node Type']}${scan['Scan Direction'] === 'Backward' ? ' Backward' : ''} on ${scan['Index Name']}: ${scan['Actual Rows']} rows, ${buffers} buffers`,
        status,
        loadSeconds.toFixed(1),
      ]);
    }

    console.log('\n| events in kpi_event | median ms | p95 ms | window read (EXPLAIN ANALYZE) | verdict | load s |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    const medians = rows.map((r) => Number(r[1]));
    const ratio = Math.max(...medians) / Math.min(...medians);
    console.log(`\nmedian max/min ratio across sizes: ${ratio.toFixed(2)}x (goal: within 2x) -> ${ratio <= 2 ? 'flat' : 'NOT flat'}`);
  } finally {
    await app.close();
    if (server) await server.stop();
    if (root) await rm(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
