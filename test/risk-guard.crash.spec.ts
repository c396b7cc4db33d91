import pg from 'pg';
import { freePort } from '#platform';
import { BUILD_TIMEOUT_MS, buildDist } from './support/build.js';
import { capViolations, halfApplied, ledgerMismatches } from './support/factories/risk.js';
import { READY_TIMEOUT_MS, type Spawned, useChildProcesses, waitForHttp } from './support/spawn.js';
import { ADMIN_TOKEN, createTestDatabase } from './support/test-app.js';

const ROOT = process.cwd();
const R = '/api/governance/risk';

interface Server {
  proc: Spawned;
  url: string;
}

/** The real production entry point (dist/apps/api/src/main.js) as its own process, stopped in afterAll whatever happens. */
async function startServer(spawn: ReturnType<typeof useChildProcesses>, databaseUrl: string): Promise<Server> {
  const port = await freePort();
  const { NODE_OPTIONS: _jestOptions, ...env } = process.env;
  const proc = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    cwd: ROOT,
    env: { ...env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', WARDEN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'error', JOB_TICK_MS: '3600000', DB_POOL_SIZE: '10' },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, { child: proc });
  return { proc, url };
}

async function call(url: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/**
 * SIGKILL the server in the middle of a reserve/settle load: afterwards the ledger must equal the sum
 * of the committed reservations, nothing may be half-applied, every acknowledged answer must be
 * durable, and after a restart every unanswered request can be retried to a single outcome.
 */
describe('risk guard survives a crash mid-load', () => {
  const spawn = useChildProcesses();
  let databaseUrl: string;
  let db: pg.Pool;
  let server: Server | undefined;

  beforeAll(async () => {
    // The crash needs a real process to kill: build the production output (only if a source changed).
    buildDist();
    databaseUrl = await createTestDatabase('crash');
    db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => {
    await db?.end();
  });

  const sql = async (text: string, params: unknown[] = []) => (await db.query(text, params)).rows;

  it('after SIGKILL the ledger equals the committed reservations; after restart retries resolve every request once', async () => {
    server = await startServer(spawn, databaseUrl);
    expect((await call(server.url, `${R}/policies/upsert`, { engine: 'GLOBAL', max_daily_exposure: null, max_open_risk: null, max_daily_loss: null })).status).toBe(200);
    expect((await call(server.url, `${R}/policies/upsert`, { engine: 'CRASH', max_daily_exposure: '1200', max_open_risk: '20', max_daily_loss: null })).status).toBe(200);

    const reserved = new Map<string, string>(); // correlation_id -> reservation_id, acknowledged
    const settled = new Set<string>(); // acknowledged settles
    const unanswered: Array<{ cid: string; amount: string }> = [];
    const errors: string[] = [];
    let n = 0;
    let stop = false;
    const first = server;
    const worker = async (w: number) => {
      while (!stop) {
        const cid = `crash-${w}-${n++}`;
        const amount = n % 2 ? '1' : '0.5';
        let r;
        try {
          r = await call(first.url, `${R}/check-and-reserve`, { engine: 'CRASH', amount, correlation_id: cid });
        } catch {
          unanswered.push({ cid, amount });
          return;
        }
        if (r.status === 201) reserved.set(cid, r.body.reservation_id);
        else if (r.status !== 403) errors.push(`${r.status} ${JSON.stringify(r.body)}`);
        if (r.status !== 201) continue;
        try {
          const s = await call(first.url, `${R}/settle`, { correlation_id: cid, realized_loss: n % 3 ? '0' : '0.25' });
          if (s.status === 200) settled.add(cid);
          else errors.push(`${s.status} ${JSON.stringify(s.body)}`);
        } catch {
          return;
        }
      }
    };
    const load = Promise.all(Array.from({ length: 48 }, (_, w) => worker(w)));
    const started = Date.now();
    while (reserved.size < 300 && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 20));
    first.proc.signal('SIGKILL');
    await first.proc.exited;
    stop = true;
    await load;
    expect(errors).toEqual([]);
    expect(reserved.size).toBeGreaterThanOrEqual(300);

    // Right after the crash, before anything restarts: exact ledger, nothing half-applied, no cap exceeded.
    expect(await ledgerMismatches(sql)).toEqual([]);
    expect(await halfApplied(sql)).toEqual([]);
    expect(await capViolations(sql)).toEqual([]);
    // Every answer the clients got is durable.
    const rows = await sql(`SELECT correlation_id, id, status FROM risk_reservation`);
    const byCid = new Map(rows.map((r) => [r.correlation_id, r]));
    for (const [cid, id] of reserved) expect(byCid.get(cid)?.id).toBe(id);
    for (const cid of settled) expect(byCid.get(cid)?.status).toBe('settled');

    // Restart: each unanswered request, retried with the same key and body, gets exactly one outcome.
    server = await startServer(spawn, databaseUrl);
    const second = server;
    for (const { cid, amount } of unanswered) {
      const retry = await call(second.url, `${R}/check-and-reserve`, { engine: 'CRASH', amount, correlation_id: cid });
      expect([201, 403]).toContain(retry.status);
      if (byCid.has(cid)) expect(retry.body.reservation_id ?? null).toBe(byCid.get(cid)!.id);
    }
    const open = await sql(`SELECT correlation_id FROM risk_reservation WHERE status IN ('reserved', 'expired')`);
    for (const { correlation_id } of open) expect((await call(second.url, `${R}/settle`, { correlation_id, realized_loss: '0' })).status).toBe(200);
    expect(await ledgerMismatches(sql)).toEqual([]);
    expect(await halfApplied(sql)).toEqual([]);
    const [ledger] = await sql(`SELECT open_risk_reserved::text AS open FROM risk_ledger_day WHERE engine = 'GLOBAL'`);
    expect(Number(ledger.open)).toBe(0);
    const dupes = await sql(`SELECT correlation_id FROM risk_event WHERE kind = 'reserve' GROUP BY correlation_id HAVING count(*) > 1`);
    expect(dupes).toEqual([]);
    // Two starts of the built server, at most 20 s of load, then one retry or settle per open request.
  }, 2 * READY_TIMEOUT_MS + 120_000);
});
