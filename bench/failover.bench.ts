/**
 * A hung database: how long until PROD_EXEC and reserve answer 503 governance_unavailable, and does
 * anything answered 503 commit once the database wakes? `npm run bench:failover`.
 *
 * Each trial, under a running app with a background reserve load (so the freeze lands on work in
 * flight), SIGSTOPs every process of the embedded PostgreSQL, fires reserves and deals (PROD_EXEC)
 * at once, times each answer from the freeze, resumes the server once all are answered, waits for
 * recovery, and counts the reservations and deals of 503'd requests that exist afterwards.
 * Goals: p99 within GO_LIVE_CACHE_BOUND_MS (2 s); late commits 0.
 *
 * Env: BENCH_TRIALS (default 10), BENCH_FIRED per trial (default 8 reserves + 2 deals). Needs the
 * embedded server (it freezes it): DATABASE_URL is refused.
 */
import 'reflect-metadata';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig, startEmbeddedPostgres } from '#platform';
import { createApp } from '../apps/api/src/create-app.js';
import { freezePostgres } from './pg-freeze.js';
import { median, percentile, table } from './support.js';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 10);
const FIRED = Number(process.env.BENCH_FIRED ?? 8);
const TOKEN = 'bench-admin-token-0000000000';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  kind: 'reserve' | 'deal' | 'background';
  key: string;
  status: number;
  ms: number;
}

async function main(): Promise<void> {
  if (process.env.DATABASE_URL) throw new Error('bench:failover freezes its own embedded PostgreSQL: unset DATABASE_URL');
  const root = await mkdtemp(join(tmpdir(), 'warden-bench-failover-'));
  await chmod(root, 0o755);
  const server = await startEmbeddedPostgres(join(root, 'pgdata'));
  let resume: (() => Promise<void>) | undefined;
  const config = loadConfig({ DATABASE_URL: server.url, WARDEN_BOOTSTRAP_TOKEN: TOKEN, LOG_LEVEL: 'silent', JOBS_ENABLED: '0' });
  const app = await createApp({ config });
  const db = new pg.Pool({ connectionString: server.url, max: 2 });
  db.on('error', () => undefined);
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    // No caps in the way: the bench measures failure, not denials.
    await db.query(`UPDATE risk_policy SET max_daily_exposure = NULL, max_open_risk = NULL, max_daily_loss = NULL, max_actions_per_day = NULL`);
    const post = async (path: string, body: unknown): Promise<number> => {
      const res = await fetch(base + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).catch(() => undefined);
      await res?.text();
      return res?.status ?? 0;
    };
    const healthy = async () => {
      for (let i = 0; i < 300; i++) {
        const ok = (await fetch(`${base}/health`).then((r) => r.status, () => 0)) === 200;
        if (ok && (await post('/api/governance/risk/check-and-reserve', { engine: 'WHOLESALE', amount: '1', correlation_id: `probe-${Date.now()}-${i}` })) === 201) return;
        await sleep(100);
      }
      throw new Error('Warden did not recover within 30 s');
    };

    const bound = config.GO_LIVE_CACHE_BOUND_MS;
    const latReserve: number[] = [];
    const latDeal: number[] = [];
    const answered503: string[] = [];
    const inFlight503: string[] = [];
    let other = 0;
    let hung = 0;
    const perTrial: Array<Record<string, string | number>> = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      await healthy();
      // Background load: four clients reserving back to back, so the freeze catches statements and commits in flight.
      let stop = false;
      const background: Answer[] = [];
      const loops = Array.from({ length: 4 }, async (_, c) => {
        for (let i = 0; !stop; i++) {
          const key = `bg-${trial}-${c}-${i}`;
          const t0 = performance.now();
          const status = await post('/api/governance/risk/check-and-reserve', { engine: 'WHOLESALE', amount: '1', correlation_id: key });
          background.push({ kind: 'background', key, status, ms: performance.now() - t0 });
        }
      });
      await sleep(200 + Math.random() * 100);
      const frozen = await freezePostgres(server.dataDir);
      resume = frozen.resume;
      const frozenAt = performance.now() - (Date.now() - frozen.frozenAt);
      const fired = Array.from({ length: FIRED + 2 }, async (_, i): Promise<Answer> => {
        const deal = i >= FIRED;
        const key = `fo-${trial}-${i}`;
        const status = deal
          ? await post('/api/deals', { counterparty: 'bench', amount: '1', correlation_id: key })
          : await post('/api/governance/risk/check-and-reserve', { engine: 'WHOLESALE', amount: '1', correlation_id: key });
        return { kind: deal ? 'deal' : 'reserve', key: deal ? `deal:${key}` : key, status, ms: performance.now() - frozenAt };
      });
      const cap = sleep(30_000).then(() => 'cap' as const);
      const all = await Promise.race([Promise.all(fired), cap]);
      if (all === 'cap') hung++;
      stop = true;
      await resume();
      resume = undefined;
      await Promise.all(loops);
      const answers = all === 'cap' ? [] : all;
      for (const a of answers) {
        (a.kind === 'deal' ? latDeal : latReserve).push(a.ms);
        if (a.status === 503) answered503.push(a.key);
        else other++;
      }
      for (const b of background) if (b.status === 503) inFlight503.push(b.key);
      perTrial.push({
        trial: trial + 1,
        'reserve p50 ms': Math.round(median(answers.filter((a) => a.kind === 'reserve').map((a) => a.ms))),
        'deal ms': Math.round(median(answers.filter((a) => a.kind === 'deal').map((a) => a.ms))),
        '503s': answers.filter((a) => a.status === 503).length,
        'background 503s': background.filter((b) => b.status === 503).length,
      });
    }
    await healthy();
    await sleep(500);
    const committedOf = async (ids: string[]) => ({
      reservations: ids.length ? ((await db.query(`SELECT 1 FROM risk_reservation WHERE correlation_id = ANY($1::text[])`, [ids])).rowCount ?? 0) : 0,
      deals: ids.length ? ((await db.query(`SELECT 1 FROM deal WHERE ('deal:' || correlation_id) = ANY($1::text[])`, [ids])).rowCount ?? 0) : 0,
    });
    const fired = await committedOf(answered503);
    const caught = await committedOf(inFlight503);

    process.stdout.write(`\nbench:failover — ${TRIALS} trials, ${FIRED} reserves + 2 deals (PROD_EXEC) fired at each freeze, 4 background reservers\n`);
    process.stdout.write(`config: statement ${config.DB_STATEMENT_TIMEOUT_MS} ms, pool acquire ${config.DB_POOL_ACQUIRE_TIMEOUT_MS} ms, go-live bound ${bound} ms\n\n`);
    process.stdout.write(table(perTrial) + '\n\n');
    process.stdout.write(
      table([
        { what: 'reserve: freeze -> 503', n: latReserve.length, 'p50 ms': Math.round(percentile(latReserve, 0.5)), 'p99 ms': Math.round(percentile(latReserve, 0.99)), 'max ms': Math.round(Math.max(...latReserve)) },
        { what: 'PROD_EXEC deal: freeze -> 503', n: latDeal.length, 'p50 ms': Math.round(percentile(latDeal, 0.5)), 'p99 ms': Math.round(percentile(latDeal, 0.99)), 'max ms': Math.round(Math.max(...latDeal)) },
      ]) + '\n\n',
    );
    process.stdout.write(`fired requests not answered 503: ${other}; trials that hung past 30 s: ${hung}\n`);
    process.stdout.write(
      `sent after the freeze, answered 503: ${answered503.length}; committed after the wake: ${fired.reservations} reservations, ${fired.deals} deals (goal 0)\n`,
    );
    process.stdout.write(
      `in flight when the freeze hit, answered 503: ${inFlight503.length}; committed after the wake: ${caught.reservations} ` +
        `(only a commit already sent can: the ambiguous case, docs/failure-modes.md)\n`,
    );
    process.stdout.write(`p99 within the ${bound} ms bound: ${percentile([...latReserve, ...latDeal], 0.99) <= bound ? 'yes' : 'NO'}\n`);
  } finally {
    await resume?.();
    await db.end().catch(() => undefined);
    await app.close().catch(() => undefined);
    await server.stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:failover failed: ${String(err instanceof Error ? err.stack : err)}\n`);
    process.exit(1);
  },
);
