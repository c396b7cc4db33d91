/**
 * The risk ledger's throughput against the single-transaction limit of a hot GLOBAL row.
 * `npm run bench:ledger` (each phase BENCH_SECONDS, default 10, 64 clients/connections; BENCH_ROUNDS
 * rounds, default 1, each running every phase once, interleaved; the table gives medians and ranges):
 *   limit   - pgbench: the dual-control transaction statement by statement (engine row, then GLOBAL
 *             row, conditional UPDATEs, COMMIT), against the same database.
 *   Warden  - check-and-reserve then settle over HTTP (autocannon, own process), on one hot engine
 *             and spread over 16 and 256 engines sharing GLOBAL; after every phase the ledger is
 *             verified against the reservations and the caps.
 * Database: DATABASE_URL's server if set, else a throwaway embedded PostgreSQL; a fresh database is
 * created on it for the run.
 * BENCH_CHAIN=off: the whole run without the audit hash chain. BENCH_CHAIN=compare: instead of the
 * phases above, BENCH_ROUNDS (at least 2) rounds of the hot-engine and 16-engine phases, each with
 * the chain on and off in ABBA order (its triggers disabled in the bench's own database, as its
 * owner: bench/support.ts); prints the paired on/off ratios, their median and the load average
 * (docs/audit.md#benchmark).
 */
import 'reflect-metadata';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { loadConfig } from '#platform';
import { CAP_VIOLATION_SQL, HALF_APPLIED_SQL, LEDGER_MISMATCH_SQL } from '#risk-guard';
import { createApp } from '../apps/api/src/create-app.js';
import { applyChainSwitch, benchDatabase, median as mid, setChain, table } from './support.js';

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const CLIENTS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const TOKEN = 'bench-admin-token-0000000000';
const PGBENCH_DAY = '2000-01-01';
const AMOUNT = '1.25';

interface Phase {
  phase: string;
  reservationsPerSec: number;
  p50: number;
  p99: number;
  note: string;
  /** 1-minute load average at the end of the phase. */
  load?: number;
}

function findPgbench(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' }).trim() || null;
  } catch {
    // not on PATH
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  for (const version of readdirSync(root).sort().reverse()) {
    const candidate = join(root, version, 'bin', 'pgbench');
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A fresh database on the bench server, so nothing else's data is touched. */
async function freshDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `warden_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    await admin.end();
    process.stderr.write(`cannot create a bench database (${String(err)}); using ${serverUrl} itself\n`);
    return { url: serverUrl, drop: async () => undefined };
  }
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}

async function pgbenchPhase(pgbench: string, url: string, db: pg.Pool): Promise<Phase> {
  await db.query(`INSERT INTO risk_ledger_day (day, engine) VALUES ($1, 'PGBENCH'), ($1, 'GLOBAL') ON CONFLICT DO NOTHING`, [PGBENCH_DAY]);
  const dir = await mkdtemp(join(tmpdir(), 'warden-pgbench-'));
  const script = join(dir, 'dual-control.sql');
  // Engine row first, GLOBAL last (the faster order); each UPDATE admits only within its cap.
  await writeFile(
    script,
    `\\set cents random(1, 10000)
BEGIN;
UPDATE risk_ledger_day SET exposure_used = exposure_used + :cents / 100.0, open_risk_reserved = open_risk_reserved + :cents / 100.0, actions_count = actions_count + 1
 WHERE day = '${PGBENCH_DAY}' AND engine = 'PGBENCH' AND exposure_used + :cents / 100.0 <= 1000000000000 AND open_risk_reserved + :cents / 100.0 <= 1000000000000;
UPDATE risk_ledger_day SET exposure_used = exposure_used + :cents / 100.0, open_risk_reserved = open_risk_reserved + :cents / 100.0, actions_count = actions_count + 1
 WHERE day = '${PGBENCH_DAY}' AND engine = 'GLOBAL' AND exposure_used + :cents / 100.0 <= 1000000000000 AND open_risk_reserved + :cents / 100.0 <= 1000000000000;
COMMIT;
`,
  );
  const { stdout } = await run(
    pgbench,
    ['-n', '-M', 'prepared', '-c', String(CLIENTS), '-j', '2', '-T', String(SECONDS), '-f', script, '--log', `--log-prefix=${join(dir, 'tx')}`, url],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1] ?? NaN);
  const latencies: number[] = [];
  for (const file of await readdir(dir)) {
    if (!file.startsWith('tx')) continue;
    for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
      const micros = Number(line.split(' ')[2]);
      if (Number.isFinite(micros) && line) latencies.push(micros / 1000);
    }
  }
  latencies.sort((a, b) => a - b);
  await rm(dir, { recursive: true, force: true });
  return { phase: `limit: pgbench dual-control tx, ${CLIENTS} clients`, reservationsPerSec: tps, p50: percentile(latencies, 50), p99: percentile(latencies, 99), note: '1 reservation per transaction' };
}

async function wardenPhase(base: string, db: pg.Pool, label: string, engines: string[], prefix: string, seconds = SECONDS): Promise<Phase> {
  const args = { url: base, token: TOKEN, engines, prefix, connections: CLIENTS, seconds, amount: AMOUNT };
  const { stdout } = await run(process.execPath, [join(import.meta.dirname, 'ledger-load.js'), JSON.stringify(args)], { maxBuffer: 64 * 1024 * 1024 });
  const r = JSON.parse(stdout) as { duration: number; latency: { p50: number; p99: number }; errors: number; non2xx: number; statusCodeStats?: Record<string, { count: number }> };
  const [counts] = (
    await db.query(
      `SELECT count(*)::int AS reserved, count(*) FILTER (WHERE status = 'settled')::int AS settled FROM risk_reservation WHERE correlation_id LIKE $1`,
      [`${prefix}-%`],
    )
  ).rows;
  const statuses = Object.entries(r.statusCodeStats ?? {})
    .map(([code, s]) => `${code}x${s.count}`)
    .join(' ');
  return {
    phase: label,
    reservationsPerSec: counts.reserved / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    note: `${counts.settled}/${counts.reserved} settled; HTTP ${statuses}${r.errors ? `; ${r.errors} errors` : ''}`,
  };
}

async function main(): Promise<void> {
  const server = await benchDatabase();
  const database = await freshDatabase(server.url);
  const chain = process.env.BENCH_CHAIN ?? 'on';
  let app: NestFastifyApplication | undefined;
  const db = new pg.Pool({ connectionString: database.url, max: 2 });
  try {
    app = await createApp({
      config: loadConfig({ DATABASE_URL: database.url, WARDEN_BOOTSTRAP_TOKEN: TOKEN, LOG_LEVEL: 'warn', JOBS_ENABLED: '0' }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    // After createApp: its migrations create the chain's triggers in this fresh database.
    await applyChainSwitch(database.url);
    const address = app.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const version = (await db.query(`SHOW server_version`)).rows[0].server_version as string;

    // Caps far above what 10 s can reach, so the phases measure admission, not denials; still enforced and verified.
    const hot = 'BENCH_HOT';
    const spread16 = Array.from({ length: 16 }, (_, i) => `BENCH_S${String(i).padStart(2, '0')}`);
    const spread256 = Array.from({ length: 256 }, (_, i) => `BENCH_W${String(i).padStart(3, '0')}`);
    const upsert = (engine: string) =>
      fetch(`${base}/api/governance/risk/policies/upsert`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ engine, max_daily_exposure: '100000000000', max_open_risk: '10000000', max_daily_loss: '1000000', enabled: true }),
      }).then((r) => {
        if (r.status !== 200) throw new Error(`policy upsert for ${engine}: ${r.status}`);
      });
    for (const engine of ['GLOBAL', hot, ...spread16, ...spread256]) await upsert(engine);

    const outside = `SELECT * FROM (%s) v WHERE day::date <> '${PGBENCH_DAY}'::date`;
    const verify = async () => ({
      mismatches: (await db.query(outside.replace('%s', LEDGER_MISMATCH_SQL))).rows.length,
      overCap: (await db.query(outside.replace('%s', CAP_VIOLATION_SQL))).rows.length,
      halfDone: (await db.query(HALF_APPLIED_SQL)).rows.length,
    });
    let violations = 0;
    const checked = async (phase: Phase): Promise<Phase> => {
      const v = await verify();
      violations += v.mismatches + v.overCap + v.halfDone;
      phase.load = loadavg()[0];
      phase.note += `; after it: ${v.overCap} over cap, ${v.mismatches} mismatches, ${v.halfDone} half-applied`;
      return phase;
    };

    if (chain === 'compare') {
      await wardenPhase(base, db, 'warm-up', [hot], 'warm', 2);
      await compareChain(database.url, async (label, engines, prefix) => checked(await wardenPhase(base, db, label, engines, prefix)), hot, spread16);
      console.log(`\ncap violations found after the phases: ${violations} (must be 0)`);
      if (violations > 0) process.exitCode = 1;
      return;
    }
    const rounds: Phase[][] = [];
    const pgbench = findPgbench();
    if (!pgbench) {
      process.stderr.write(
        '\npgbench not found (PATH or /usr/lib/postgresql/*/bin): the limit phase is skipped.\n' +
          'Install it with your PostgreSQL client packages, e.g. `apt-get update && apt-get install -y postgresql-15` (Debian 12)\n' +
          'or `postgresql-client`, then run `npm run bench:ledger` again. The Warden phases run regardless.\n\n',
      );
    }
    process.stderr.write('warm-up: 2 s...\n');
    await wardenPhase(base, db, 'warm-up', [hot], 'warm', 2);
    for (let round = 1; round <= ROUNDS; round++) {
      const phases: Phase[] = [];
      if (pgbench) {
        process.stderr.write(`round ${round}: limit: ${pgbench}, ${CLIENTS} clients, ${SECONDS} s...\n`);
        phases.push(await pgbenchPhase(pgbench, database.url, db));
        phases[phases.length - 1].load = loadavg()[0];
      }
      for (const [label, engines, prefix] of [
        ['1 hot engine', [hot], `hot${round}`],
        ['16 engines + GLOBAL', spread16, `s16r${round}`],
        ['256 engines + GLOBAL', spread256, `s256r${round}`],
      ] as const) {
        process.stderr.write(`round ${round}: Warden: ${label}, ${SECONDS} s...\n`);
        phases.push(await checked(await wardenPhase(base, db, `Warden: reserve+settle over HTTP, ${label}`, [...engines], prefix)));
      }
      rounds.push(phases);
    }
    const { mismatches, overCap, halfDone } = await verify();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    const spread = (xs: number[], digits: number) =>
      xs.length > 1 ? ` (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})` : '';
    const cell = (xs: number[], digits: number) => `${median(xs).toFixed(digits)}${spread(xs, digits)}`;
    const limitOf = (r: Phase[]) => (pgbench ? r[0].reservationsPerSec : NaN);
    const hotOf = (r: Phase[]) => r.find((p) => p.phase.endsWith('1 hot engine'))!.reservationsPerSec;

    console.log(
      `\nrisk ledger, ${CLIENTS} clients/connections, ${SECONDS} s per phase, ${ROUNDS} round(s) interleaved; ${cpus().length} CPUs; PostgreSQL ${version}; amount ${AMOUNT}`,
    );
    console.log('Medians over the rounds, (min-max) when more than one. Warden latency is per HTTP request (reserve and settle alike); pgbench latency per transaction.\n');
    console.log(
      table(
        rounds[0].map((first, k) => {
          const all = rounds.map((r) => r[k]);
          const isLimit = first.phase.startsWith('limit');
          return {
            phase: first.phase,
            'reservations/s': cell(all.map((p) => p.reservationsPerSec), 0),
            'p50 ms': cell(all.map((p) => p.p50), 2),
            'p99 ms': cell(all.map((p) => p.p99), 2),
            'Warden / limit': isLimit ? '1.00' : pgbench ? cell(rounds.map((r) => r[k].reservationsPerSec / limitOf(r)), 2) : 'n/a (no pgbench)',
            'vs 1 engine': isLimit ? '' : cell(rounds.map((r) => r[k].reservationsPerSec / hotOf(r)), 2),
            load: cell(all.map((p) => p.load ?? NaN), 1),
            note: all[all.length - 1].note,
          };
        }),
      ),
    );
    console.log(
      `\ncap violations after the run: ${overCap} rows over an enforced cap, ${mismatches} ledger rows not equal to their reservations, ${halfDone} half-applied reservations; ${violations} found after the phases (all must be 0)`,
    );
    if (violations > 0) process.exitCode = 1;
    if (overCap + mismatches + halfDone > 0) process.exitCode = 1;
  } finally {
    await db.end();
    await app?.close();
    await database.drop();
    await server.stop();
  }
}

/** BENCH_CHAIN=compare: the hot-engine and 16-engine phases, chain on and off ABBA, paired per round. */
async function compareChain(url: string, phase: (label: string, engines: string[], prefix: string) => Promise<Phase>, hot: string, spread16: string[]): Promise<void> {
  const rounds = Math.max(2, ROUNDS);
  const kinds = [
    ['1 hot engine', [hot]],
    ['16 engines + GLOBAL', spread16],
  ] as const;
  const samples = kinds.map(() => ({ on: [] as Phase[], off: [] as Phase[] }));
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      await setChain(url, side === 'on');
      for (const [k, [label, engines]] of kinds.entries()) {
        process.stderr.write(`round ${round + 1}/${rounds} chain ${side}: ${label}, ${SECONDS} s...\n`);
        const p = await phase(`${label}, chain ${side}`, [...engines], `c${round}${side}${k}`);
        samples[k][side].push(p);
        process.stderr.write(`  ${p.reservationsPerSec.toFixed(0)} res/s p99 ${p.p99} ms (load ${p.load?.toFixed(1)}); ${p.note}\n`);
      }
    }
  }
  await setChain(url, true);
  const loads = samples.flatMap((s) => [...s.on, ...s.off].map((p) => p.load ?? NaN));
  const fix = (xs: number[], d: number) => `${mid(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}-${Math.max(...xs).toFixed(d)})`;
  console.log(`\nrisk ledger, chain compare: ${rounds} rounds, chain on and off ABBA, ${CLIENTS} clients/connections, ${SECONDS} s per phase; ${cpus().length} CPUs`);
  console.log(`load average during the runs: median ${mid(loads).toFixed(1)}, ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}\n`);
  console.log(
    table(
      kinds.map(([label], k) => {
        const ratios = samples[k].on.map((p, i) => p.reservationsPerSec / samples[k].off[i].reservationsPerSec);
        return {
          phase: `reserve+settle over HTTP, ${label}`,
          'chain on res/s': fix(samples[k].on.map((p) => p.reservationsPerSec), 0),
          'chain off res/s': fix(samples[k].off.map((p) => p.reservationsPerSec), 0),
          'on/off (median of pairs)': fix(ratios, 2),
          'per round': ratios.map((x) => x.toFixed(2)).join(' '),
          'goal >= 0.95': mid(ratios) >= 0.95 ? 'met' : 'NOT met',
        };
      }),
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
