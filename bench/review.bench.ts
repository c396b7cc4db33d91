/**
 * Time to generate a week's review with 10^4, 10^5 and 10^6 risk events and as many KPI events in
 * the week (BENCH_SIZES=10000,100000,1000000 by default). Each size gets its own past ISO week in one
 * database (so the older weeks are there too, as in production); the data is written in SQL with
 * generate_series (risk events 80% allowed reserves, 10% denials, 5% settles, 3% expiries, 2% voids
 * over 20 engines; KPI events over 10 streams; tripwire events, trials, recommendations and
 * approvals scaled down from N), then VACUUM ANALYZE. Measured: POST /reviews/{week}/generate over
 * HTTP (computes and writes the report once), then the median of BENCH_REPEAT (default 5) further
 * computations of the same week through ReviewGenerateService.compute (nothing written).
 * Goal: under 2 s at 10^6.
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig, ManualClock, type Clock } from '#platform';
import { parseIsoWeek, ReviewGenerateService, type IsoWeek } from '#review';
import { createApp } from '../apps/api/src/create-app.js';
import { benchDatabase, median, table } from './support.js';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const TOKEN = 'bench-admin-token-0000000000';
const ENGINES = 20;

async function load(client: pg.Client, week: IsoWeek, n: number, tag: string): Promise<void> {
  const from = week.from.toISOString();
  const step = 604800 / n; // seconds between events: the N events fill the week
  await client.query(`INSERT INTO risk_policy (engine, max_daily_exposure, max_open_risk, max_daily_loss, max_actions_per_day)
    SELECT 'BENCH_' || e, 1000000, 1000000, 50000, 1000000 FROM generate_series(0, ${ENGINES - 1}) e ON CONFLICT DO NOTHING`);
  await client.query(
    `INSERT INTO risk_event (at, day, engine, kind, outcome, correlation_id, reservation_id, amount, realized_loss, reason_codes, principal)
     SELECT t, t::date, 'BENCH_' || (i % ${ENGINES}),
            CASE WHEN i % 100 < 90 THEN 'reserve' WHEN i % 100 < 95 THEN 'settle' WHEN i % 100 < 98 THEN 'expire' ELSE 'void' END,
            CASE WHEN i % 100 < 80 THEN 'allowed' WHEN i % 100 < 90 THEN 'denied' WHEN i % 100 < 95 THEN 'settled' WHEN i % 100 < 98 THEN 'expired' ELSE 'voided' END,
            $2 || '-' || i, gen_random_uuid(), (i % 97) + 1, CASE WHEN i % 100 BETWEEN 90 AND 94 THEN i % 13 END,
            CASE WHEN i % 100 BETWEEN 80 AND 89 THEN ARRAY[(ARRAY['engine_exposure_cap', 'engine_loss_cap', 'engine_action_cap', 'global_exposure_cap'])[1 + i % 4]] ELSE '{}' END,
            'bench'
       FROM generate_series(1, $3::int) i, LATERAL (SELECT $1::timestamptz + make_interval(secs => i * ${step})) AS x(t)`,
    [from, tag, n],
  );
  await client.query(
    `INSERT INTO risk_ledger_day (day, engine, exposure_used, open_risk_reserved, realized_loss, actions_count, denials_count)
     SELECT ($1::timestamptz + make_interval(days => d))::date, 'BENCH_' || e, 1000 * d + e, 10 * e, 100 * d + e, ${Math.ceil(n / 140)}, ${Math.ceil(n / 1400)}
       FROM generate_series(0, 6) d, generate_series(0, ${ENGINES - 1}) e ON CONFLICT DO NOTHING`,
    [from],
  );
  await client.query(
    `INSERT INTO kpi_event (domain, metric, success, recorded_at, recorded_by)
     SELECT 'BENCH', 'm' || (i % 10), i % 7 <> 0, $1::timestamptz + make_interval(secs => i * ${step}), 'bench' FROM generate_series(1, $2::int) i`,
    [from, n],
  );
  await client.query(
    `INSERT INTO regression_event (at, domain, metric, type, status, action, principal)
     SELECT $1::timestamptz + make_interval(secs => i * ${step * 1000}), 'BENCH', 'm' || (i % 10),
            (ARRAY['status_changed', 'triggered', 'action_taken', 'baseline_reset'])[1 + i % 4], 'ok', 'ALERT', 'bench'
       FROM generate_series(1, greatest($2::int / 1000, 1)) i`,
    [from, n],
  );
  await client.query(
    `INSERT INTO heimdall_scorecard_day (day, domain, trials, successes, confidence_sum, updated_at)
     SELECT ($1::timestamptz + make_interval(days => d))::date, p.domain, ${Math.ceil(n / 70)}, ${Math.ceil(n / 100)}, ${Math.ceil(n / 100)}, now()
       FROM generate_series(0, 6) d, heimdall_policy p ON CONFLICT DO NOTHING`,
    [from],
  );
  await client.query(
    `INSERT INTO heimdall_recommendation (domain, confidence, request_digest, prod_eligible, gate_reason, reason_codes, gates, created_by, created_at)
     SELECT (SELECT min(domain) FROM heimdall_policy), 0.9, 'bench', i % 3 = 0, 'bench', '{}', '{}', 'bench', $1::timestamptz + make_interval(secs => i * ${step * 100})
       FROM generate_series(1, greatest($2::int / 100, 1)) i`,
    [from, n],
  );
  await client.query(
    `INSERT INTO approval_request (kind, subject, payload, payload_digest, requested_by, requested_by_token, request_digest, reason, risk_level,
                                   min_approvals, approver_roles, status, created_at, expires_at, decided_at)
     SELECT 'manual', 'bench-' || i, '{}', 'x', 'bench', 'bench', 'x', 'bench', 'low', 1, '{operator}',
            CASE WHEN i % 2 = 0 THEN 'approved' ELSE 'rejected' END, c, c + interval '1 day', c + make_interval(secs => 60 + i % 600)
       FROM generate_series(1, greatest($2::int / 1000, 1)) i, LATERAL (SELECT $1::timestamptz + make_interval(secs => i * ${step * 1000})) AS x(c)`,
    [from, n],
  );
  for (const t of ['risk_event', 'risk_ledger_day', 'kpi_event', 'regression_event', 'heimdall_scorecard_day', 'heimdall_recommendation', 'approval_request']) {
    await client.query(`VACUUM ANALYZE ${t}`);
  }
}

async function main(): Promise<void> {
  const db = await benchDatabase();
  const clock = new ManualClock(new Date('2026-06-01T09:00:00Z'));
  const config = loadConfig({ DATABASE_URL: db.url, WARDEN_BOOTSTRAP_TOKEN: TOKEN, LOG_LEVEL: 'warn', JOBS_ENABLED: '0' });
  const app = await createApp({ config, clock: clock as Clock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const rows: Array<Record<string, string | number>> = [];
  try {
    for (const [i, n] of SIZES.entries()) {
      const week = parseIsoWeek(`2026-W${String(10 + i).padStart(2, '0')}`)!;
      const t0 = performance.now();
      await load(client, week, n, `bench${i}`);
      const setup = performance.now() - t0;
      const g0 = performance.now();
      const res = await fetch(`${base}/api/governance/reviews/${week.week}/generate`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      const generate = performance.now() - g0;
      if (res.status !== 201) throw new Error(`generate ${week.week}: ${res.status} ${await res.text()}`);
      const times: number[] = [];
      for (let r = 0; r < REPEAT; r++) {
        const c0 = performance.now();
        await app.get(ReviewGenerateService).compute(week);
        times.push(performance.now() - c0);
      }
      rows.push({
        week: week.week,
        'risk events': n,
        'KPI events': n,
        'setup s': (setup / 1000).toFixed(1),
        'POST generate ms': generate.toFixed(0),
        [`compute median of ${REPEAT} ms`]: median(times).toFixed(0),
        'compute max ms': Math.max(...times).toFixed(0),
      });
      console.log(table(rows.slice(-1)));
    }
    console.log(`\nweekly review generation (goal: under 2000 ms at 10^6)\n${table(rows)}`);
  } finally {
    await client.end();
    await app.close();
    await db.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
