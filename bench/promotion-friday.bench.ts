/**
 * The Friday promotion review at scale: BENCH_DOMAINS Heimdall domains (default 1,000), each with a
 * week of sandbox trials (BENCH_TRIALS_PER_DAY a day, default 20, inserted in bulk with SQL together
 * with Heimdall's per-day counters), one tripwire state read, the active rules; times the job run
 * (scorecards, evaluations, 1,000 decisions and 1,000 approval requests in one transaction), then a
 * second run of the same week (nothing due) and a forced re-review (every (domain, week) already
 * recorded). Run: node dist/bench/promotion-friday.bench.js after `npm run build`.
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { JobRunner, loadConfig, ManualClock, type Clock } from '#platform';
import { PROMOTION_FRIDAY_JOB, PromotionReviewService } from '#promotion/server';
import { createApp } from '../apps/api/src/create-app.js';
import { benchDatabase, table } from './support.js';

const DOMAINS = Number(process.env.BENCH_DOMAINS ?? 1000);
const PER_DAY = Number(process.env.BENCH_TRIALS_PER_DAY ?? 20);
const FRIDAY = '2031-03-14T08:00:00Z';

async function main(): Promise<void> {
  const db = await benchDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, WARDEN_BOOTSTRAP_TOKEN: 'bench-admin-token-0000000000', LOG_LEVEL: 'silent', JOBS_ENABLED: 'false', DB_STATEMENT_TIMEOUT_MS: '600000' });
  const clock = new ManualClock(FRIDAY);
  const app = await createApp({ config, clock: clock as Clock });
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    let t0 = performance.now();
    await client.query(
      `INSERT INTO heimdall_policy (domain, min_confidence, min_trials, min_success_rate, prod_use_enabled)
       SELECT 'BENCH_' || g, 0.8, 10, 0.7, false FROM generate_series(1, $1) g`,
      [DOMAINS],
    );
    // A week of trials (2031-03-07..13); success rates spread over the domains so every verdict path runs.
    await client.query(
      `INSERT INTO heimdall_trial (day, domain, success, confidence, request_digest, recorded_by, recorded_at)
       SELECT d::date, 'BENCH_' || g, (k % 100) < 40 + (g % 60), 0.6 + (g % 40) / 100.0, 'bench', 'bench', d + interval '10 hours'
       FROM generate_series(1, $1) g, generate_series('2031-03-07'::date, '2031-03-13'::date, interval '1 day') d, generate_series(1, $2) k`,
      [DOMAINS, PER_DAY],
    );
    await client.query(
      `INSERT INTO heimdall_scorecard_day (day, domain, trials, successes, confidence_sum, updated_at)
       SELECT day, domain, count(*), count(*) FILTER (WHERE success), sum(confidence), max(recorded_at) FROM heimdall_trial GROUP BY day, domain`,
    );
    const setupMs = performance.now() - t0;

    const runner = app.get(JobRunner);
    t0 = performance.now();
    const [outcome] = await runner.runJob(PROMOTION_FRIDAY_JOB);
    const runMs = performance.now() - t0;
    t0 = performance.now();
    const again = await runner.runJob(PROMOTION_FRIDAY_JOB);
    const againMs = performance.now() - t0;
    t0 = performance.now();
    const forced = await app.get(DataSource).transaction((m) => app.get(PromotionReviewService).reviewWeek(m, new Date(FRIDAY)));
    const forcedMs = performance.now() - t0;
    const [{ n: requests }] = (await client.query(`SELECT count(*)::int AS n FROM approval_request WHERE kind = 'heimdall_promotion'`)).rows;

    console.log(`promotion Friday review: ${DOMAINS} domains x 7 days x ${PER_DAY} trials (${DOMAINS * 7 * PER_DAY} trials; setup ${(setupMs / 1000).toFixed(1)} s)`);
    console.log(
      table([
        { run: 'first run (job)', ms: runMs.toFixed(0), per_domain_ms: (runMs / DOMAINS).toFixed(2), result: `${outcome?.status} ${JSON.stringify((outcome as { result?: unknown })?.result ?? {})}` },
        { run: 'second run, same week (job)', ms: againMs.toFixed(0), per_domain_ms: '-', result: `${again.length} periods due` },
        { run: 'forced re-review, same week', ms: forcedMs.toFixed(0), per_domain_ms: (forcedMs / DOMAINS).toFixed(2), result: `filed ${forced.filed}` },
      ]),
    );
    console.log(`approval requests filed: ${requests}`);
  } finally {
    await client.end();
    await app.close();
    await db.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
