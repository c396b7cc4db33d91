import pg from 'pg';
import { freePort } from '#platform';
import { buildDist } from './support/build.js';
import { until, WebhookReceiver } from './support/receiver.js';
import { READY_TIMEOUT_MS, type Spawned, useChildProcesses, waitFor, waitForHttp } from './support/spawn.js';
import { ADMIN_TOKEN, createTestDatabase } from './support/test-app.js';

const G = '/api/governance';

/**
 * SIGKILL of the real server (dist/apps/api/src/main.js) after an approval committed, while its act
 * runs: the kill switch release is blocked inside the act's transaction (after the grant was
 * consumed there) by a row lock this test holds on go_live_state. After restarts, two instances
 * race for the act: it ran exactly once.
 */
describe('an approved act survives a SIGKILL between decision and act', () => {
  const spawnServer = useChildProcesses();
  const receiver = new WebhookReceiver();
  let db: pg.Pool;
  let databaseUrl: string;

  beforeAll(() => buildDist(), 240_000);
  afterAll(async () => {
    await receiver.stop();
    await db?.end();
  });

  async function start(extraEnv: Record<string, string> = {}): Promise<{ child: Spawned; url: string }> {
    const port = await freePort();
    const { NODE_OPTIONS: _jestOptions, ...env } = process.env;
    const child = spawnServer(process.execPath, ['dist/apps/api/src/main.js'], {
      cwd: process.cwd(),
      env: {
        ...env,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        WARDEN_BOOTSTRAP_TOKEN: ADMIN_TOKEN,
        LOG_LEVEL: 'error',
        JOB_TICK_MS: '3600000',
        WARDEN_WEBHOOK_URLS: receiver.url,
        WARDEN_TWO_PERSON: 'kill_switch_release',
        // The act waits on this test's lock for as long as the test needs, rather than timing out.
        DB_LOCK_TIMEOUT_MS: '120000',
        DB_STATEMENT_TIMEOUT_MS: '120000',
        ...extraEnv,
      },
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/health`, { child, timeoutMs: READY_TIMEOUT_MS });
    return { child, url };
  }

  const call = async (url: string, method: string, path: string, body: unknown, token = ADMIN_TOKEN) => {
    const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const one = async <T = any>(sql: string, params: unknown[] = []): Promise<T> => (await db.query(sql, params)).rows[0] as T;
  const counts = async (id: string) =>
    one<{ released: number; consumed: number; notified: number }>(
      `SELECT (SELECT count(*)::int FROM audit_log WHERE action = 'go_live.kill_switch.release' AND details->>'approval_id' = $1) AS released,
              (SELECT count(*)::int FROM audit_log WHERE action = 'approval.consume' AND subject = 'approval:' || $1) AS consumed,
              (SELECT count(*)::int FROM notification_outbox WHERE topic = 'kill_switch.released' AND body->>'approval_id' = $1) AS notified`,
      [id],
    );
  /** The act's transaction, waiting on our lock (inside it the grant is already consumed, uncommitted). */
  const actWaiting = async () =>
    (await one<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%go_live_state%FOR UPDATE%'`)).n > 0;

  it('the act runs exactly once after the restart, and the grant is consumed once', async () => {
    databaseUrl = await createTestDatabase('actcrash');
    db = new pg.Pool({ connectionString: databaseUrl, max: 3 });
    await receiver.start();
    const first = await start();
    const mint = async (name: string) => (await call(first.url, 'POST', `${G}/tokens`, { name, role: 'operator' })).body.token as string;
    const [op1, op2] = [await mint('crash-op-1'), await mint('crash-op-2')];
    expect((await call(first.url, 'POST', `${G}/go-live/kill-switch/engage`, { reason: 'crash drill' }, op1)).status).toBe(200);
    const asked = await call(first.url, 'POST', `${G}/go-live/kill-switch/release`, { reason: 'drill over' }, op1);
    expect(asked.status).toBe(202);
    const id = asked.body.approval_id as string;

    const holder = new pg.Client({ connectionString: databaseUrl });
    await holder.connect();
    let second: { child: Spawned; url: string } | undefined;
    let third: { child: Spawned; url: string } | undefined;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM go_live_state WHERE id = 1 FOR UPDATE');
      expect((await call(first.url, 'POST', `${G}/approvals/${id}/approve`, { reason: 'ok' }, op2)).status).toBe(200);
      await waitFor('the act to be under way', actWaiting, { child: first.child, timeoutMs: 30_000 });

      first.child.signal('SIGKILL');
      expect((await first.child.exited).signal).toBe('SIGKILL');
      // The decision committed; nothing of the act did.
      expect(await one(`SELECT status, consumed_at FROM approval_request WHERE id = $1`, [id])).toEqual({ status: 'approved', consumed_at: null });
      expect(await one(`SELECT handled_at, attempts FROM approval_decided_event WHERE approval_id = $1`, [id])).toEqual({ handled_at: null, attempts: 0 });
      expect(await counts(id)).toEqual({ released: 0, consumed: 0, notified: 0 });
      expect((await one(`SELECT kill_switch_engaged FROM go_live_state WHERE id = 1`)).kill_switch_engaged).toBe(true);

      // Two instances come up while the lock is still held: both look for the act.
      second = await start();
      third = await start();
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    await until(async () => (await one(`SELECT handled_at FROM approval_decided_event WHERE approval_id = $1`, [id])).handled_at !== null);
    expect((await one(`SELECT kill_switch_engaged, changed_by FROM go_live_state WHERE id = 1`))).toEqual({ kill_switch_engaged: false, changed_by: 'crash-op-1 (approved by crash-op-2)' });
    expect(await counts(id)).toEqual({ released: 1, consumed: 1, notified: 1 });
    expect((await one(`SELECT attempts FROM approval_decided_event WHERE approval_id = $1`, [id])).attempts).toBe(1);
    await receiver.waitFor((r) => r.some((x) => x.json.topic === 'kill_switch.released' && x.json.body.approval_id === id));

    // Both stop gracefully (their dispatchers drain first): still exactly once.
    await second!.child.stop();
    await third!.child.stop();
    expect(await counts(id)).toEqual({ released: 1, consumed: 1, notified: 1 });
    expect((await one(`SELECT consumed_at IS NOT NULL AS consumed FROM approval_request WHERE id = $1`, [id])).consumed).toBe(true);
  }, 600_000);

  it('the built server refuses to start when WARDEN_TWO_PERSON names an act no lever registered', async () => {
    const port = await freePort();
    const { NODE_OPTIONS: _jestOptions, ...env } = process.env;
    const child = spawnServer(process.execPath, ['dist/apps/api/src/main.js'], {
      cwd: process.cwd(),
      env: { ...env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', WARDEN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'error', JOB_TICK_MS: '3600000', WARDEN_TWO_PERSON: 'kill_switch_release,deploy' },
    });
    const exit = await child.exited;
    expect(exit.code).not.toBe(0);
    expect(child.output()).toMatch(/WARDEN_TWO_PERSON names no registered two-person act: deploy \(known: engine_reenable, kill_switch_release; or none\)/);
  }, READY_TIMEOUT_MS);
});
