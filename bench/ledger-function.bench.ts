/**
 * The ledger turn on its own, without Node: pgbench calling risk_ledger_batch the way one Warden
 * process does (one batch in flight), each turn 32 new reserves plus the settles of the previous
 * turn's reservations, on 1, 16 and 256 engines sharing GLOBAL. `node dist/bench/ledger-function.bench.js`
 * (BENCH_SECONDS per phase, default 5; BENCH_ROUNDS, default 3, interleaved; BENCH_CLIENTS, default 1).
 * With BENCH_OLD_FUNCTIONS=<file.sql> (the previous risk_reserve_batch and risk_close_batch, e.g. from
 * `git show`), it also runs them the way they were called: a reserve batch and a close batch, two
 * transactions per turn. Prints reservations/s (tps x 32), medians and ranges, and the load.
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { loadConfig } from '#platform';
import { createApp } from '../apps/api/src/create-app.js';
import { benchDatabase, median, table } from './support.js';

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1);
const BATCH = 32;
const DAY = '2030-01-01';

/** Builds one turn's arrays in SQL: BATCH new reserves on `k` engines, then settles of `ids`. */
const HELPERS = `
CREATE OR REPLACE FUNCTION bench_turn(r bigint, k integer, ids uuid[]) RETURNS uuid[] LANGUAGE sql AS $$
  WITH res AS (SELECT g, r || '-' || g AS cid, 'BFN' || lpad((g % k)::text, 3, '0') AS eng FROM generate_series(1, ${BATCH}) g)
  SELECT coalesce(array_agg(b.reservation_id) FILTER (WHERE b.outcome = 'allowed'), '{}') FROM risk_ledger_batch(
    '${DAY}'::date, now(), false,
    (SELECT array_agg(cid ORDER BY g) FROM res) || array_fill(NULL::text, ARRAY[cardinality(ids)]),
    array_fill('reserve'::text, ARRAY[${BATCH}]) || array_fill('settle'::text, ARRAY[cardinality(ids)]),
    array_fill(NULL::uuid, ARRAY[${BATCH}]) || ids,
    (SELECT array_agg(eng ORDER BY g) FROM res) || array_fill(NULL::text, ARRAY[cardinality(ids)]),
    array_fill(1.25::numeric, ARRAY[${BATCH}]) || array_fill(0::numeric, ARRAY[cardinality(ids)]),
    array_fill('d'::text, ARRAY[${BATCH}]) || array_fill(NULL::text, ARRAY[cardinality(ids)]),
    array_fill(NULL::text, ARRAY[${BATCH} + cardinality(ids)]), array_fill('bench'::text, ARRAY[${BATCH} + cardinality(ids)]),
    array_fill(NULL::text, ARRAY[${BATCH} + cardinality(ids)]), clock_timestamp() + interval '10 seconds') b
$$;`;

const OLD_HELPERS = `
CREATE OR REPLACE FUNCTION bench_old_reserve(r bigint, k integer) RETURNS uuid[] LANGUAGE sql AS $$
  WITH res AS (SELECT g, r || '-' || g AS cid, 'BFN' || lpad((g % k)::text, 3, '0') AS eng FROM generate_series(1, ${BATCH}) g)
  SELECT coalesce(array_agg(b.reservation_id) FILTER (WHERE b.outcome = 'allowed'), '{}') FROM risk_reserve_batch(
    '${DAY}'::date, now(), false, (SELECT array_agg(cid ORDER BY g) FROM res), (SELECT array_agg(eng ORDER BY g) FROM res),
    array_fill(1.25::numeric, ARRAY[${BATCH}]), array_fill('d'::text, ARRAY[${BATCH}]), array_fill(NULL::text, ARRAY[${BATCH}]),
    array_fill('bench'::text, ARRAY[${BATCH}])) b
$$;
CREATE OR REPLACE FUNCTION bench_old_close(ids uuid[]) RETURNS integer LANGUAGE sql AS $$
  SELECT count(*)::integer FROM risk_close_batch(now(), array_fill('settle'::text, ARRAY[cardinality(ids)]), ids,
    array_fill(NULL::text, ARRAY[cardinality(ids)]), array_fill(NULL::text, ARRAY[cardinality(ids)]), array_fill(0::numeric, ARRAY[cardinality(ids)]),
    array_fill(NULL::text, ARRAY[cardinality(ids)]), array_fill('bench'::text, ARRAY[cardinality(ids)]), array_fill(NULL::text, ARRAY[cardinality(ids)]))
$$;`;

async function pgbench(url: string, script: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-fn-'));
  const file = join(dir, 'turn.sql');
  await writeFile(file, script);
  try {
    const { stdout } = await run('pgbench', ['-n', '-c', String(CLIENTS), '-j', '1', '-T', String(SECONDS), '-D', 'ids={}', '-f', file, url], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1] ?? NaN) * BATCH;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const server = await benchDatabase();
  const name = `warden_fn_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  // The app's start migrates the database and applies the repeatable SQL.
  const app = await createApp({ config: loadConfig({ DATABASE_URL: dbUrl, WARDEN_BOOTSTRAP_TOKEN: 'bench-fn-token-000000000000', LOG_LEVEL: 'warn', JOBS_ENABLED: '0' }) });
  await app.close();
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  try {
    const old = process.env.BENCH_OLD_FUNCTIONS;
    if (old) await db.query(await readFile(old, 'utf8'));
    await db.query(HELPERS + (old ? OLD_HELPERS : ''));
    await db.query(
      `INSERT INTO risk_policy (engine, max_daily_exposure, max_open_risk, max_daily_loss, enabled)
       SELECT e, 100000000000, 10000000, 1000000, true FROM (SELECT 'GLOBAL' AS e UNION ALL SELECT 'BFN' || lpad(g::text, 3, '0') FROM generate_series(0, 255) g) s
       ON CONFLICT (engine) DO UPDATE SET max_daily_exposure = EXCLUDED.max_daily_exposure, max_open_risk = EXCLUDED.max_open_risk,
         max_daily_loss = EXCLUDED.max_daily_loss, enabled = true`,
    );
    const variants: Array<{ label: string; k: number; script: string }> = [];
    for (const k of [1, 16, 256]) {
      variants.push({ label: `turn: risk_ledger_batch, ${k} engine(s)`, k, script: `\\set r random(1, 1000000000000)\nSELECT bench_turn(:r, ${k}, ':ids'::uuid[]) AS ids \\gset\n` });
      if (old) {
        variants.push({
          label: `before: risk_reserve_batch + risk_close_batch, ${k} engine(s)`,
          k,
          script: `\\set r random(1, 1000000000000)\nSELECT bench_old_close(':ids'::uuid[]);\nSELECT bench_old_reserve(:r, ${k}) AS ids \\gset\n`,
        });
      }
    }
    const results = new Map<string, { rate: number[]; load: number[] }>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const v of variants) {
        process.stderr.write(`round ${round}: ${v.label}...\n`);
        const rate = await pgbench(dbUrl, v.script);
        const entry = results.get(v.label) ?? { rate: [], load: [] };
        entry.rate.push(rate);
        entry.load.push(loadavg()[0]);
        results.set(v.label, entry);
      }
    }
    const range = (xs: number[], d: number) => `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}-${Math.max(...xs).toFixed(d)})`;
    const one = (label: string) => results.get(label.replace(/\d+ engine\(s\)$/, '1 engine(s)'))!.rate;
    console.log(`\nrisk ledger turn in PostgreSQL, pgbench ${CLIENTS} client(s), ${BATCH} reserves + the previous turn's settles per turn, ${SECONDS} s x ${ROUNDS} rounds\n`);
    console.log(
      table(
        [...results].map(([label, r]) => ({
          variant: label,
          'reservations/s': range(r.rate, 0),
          'vs 1 engine': range(r.rate.map((x, i) => x / one(label)[i]), 2),
          load: range(r.load, 1),
        })),
      ),
    );
  } finally {
    await db.end();
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await c.end();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
