import pg from 'pg';
import { WardenClient } from '@warden/client';
import { freePort } from '#platform';
import { BUILD_TIMEOUT_MS, buildDist } from './support/build.js';
import { READY_TIMEOUT_MS, type Spawned, useChildProcesses, waitForHttp } from './support/spawn.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { ADMIN_TOKEN, createTestDatabase } from './support/test-app.js';

const ROOT = process.cwd();
const ENGINE = 'RESTART';

/**
 * Reserve and settle through a real server restart in the middle of the request: the server
 * commits, its answer is lost (a proxy holds it back), the process is killed and started again on
 * the same port, and the client's retry (same idempotency key) gets the original outcome. The
 * ledger must show one reservation and one settlement, whatever the client sent.
 */
describe('@warden/client: reserve/settle retried through a server restart', () => {
  const spawn = useChildProcesses();
  let databaseUrl: string;
  let db: pg.Pool;
  let port: number;
  let server: Spawned | undefined;

  const start = async (): Promise<Spawned> => {
    const { NODE_OPTIONS: _jestOptions, ...env } = process.env;
    const proc = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
      cwd: ROOT,
      env: { ...env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', WARDEN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'error', JOB_TICK_MS: '3600000' },
    });
    await waitForHttp(`http://127.0.0.1:${port}/health`, { child: proc, timeoutMs: READY_TIMEOUT_MS });
    return proc;
  };
  const sql = async (text: string, params: unknown[] = []) => (await db.query(text, params)).rows;
  const admin = async (path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as any;
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  beforeAll(async () => {
    buildDist();
    databaseUrl = await createTestDatabase('client_restart');
    db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    port = await freePort();
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => {
    await db?.end();
  });

  /** Holds the answer to the request containing `marker`, kills the server once it answered, and starts it again. */
  async function restartMidRequest(proxy: TcpProxy, marker: string): Promise<void> {
    await proxy.holdResponseTo(marker);
    await server!.stop(); // SIGTERM, then SIGKILL: the answer is committed and never delivered
    proxy.cutHeld();
    server = await start();
  }

  it('one reservation and one settlement in the ledger, the client answered with the originals', async () => {
    server = await start();
    await admin('/api/governance/risk/policies/upsert', { engine: ENGINE, max_daily_exposure: '100', max_open_risk: '100', max_daily_loss: '100', enabled: true });
    const token = (await admin('/api/governance/tokens', { name: 'restart-engine', role: 'engine', engines: [ENGINE] })).token as string;
    const proxy = await TcpProxy.start(port);
    // Retries long enough to span a restart on a loaded machine (READY_TIMEOUT_MS), each bounded.
    const client = new WardenClient({ baseUrl: proxy.url, token, retry: { maxAttempts: 1000, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: READY_TIMEOUT_MS } });
    try {
      const restarted = restartMidRequest(proxy, 'POST /api/governance/risk/check-and-reserve');
      const reservation = await client.reserve({ engine: ENGINE, amount: '7.25' });
      await restarted;
      expect(reservation).toMatchObject({ engine: ENGINE, amount: '7.25', status: 'reserved', replayed: true });

      const rows = await sql(`SELECT id, amount::text, status FROM risk_reservation WHERE engine = $1`, [ENGINE]);
      expect(rows).toEqual([{ id: reservation.reservation_id, amount: '7.2500', status: 'reserved' }]);
      const [day] = await sql(`SELECT exposure_used::numeric(19,4)::text AS exposure_used, open_risk_reserved::numeric(19,4)::text AS open_risk_reserved, actions_count::int FROM risk_ledger_day WHERE engine = $1`, [ENGINE]);
      expect(day).toEqual({ exposure_used: '7.2500', open_risk_reserved: '7.2500', actions_count: 1 });

      const settleRestarted = restartMidRequest(proxy, 'POST /api/governance/risk/settle');
      const settled = await client.settle({ reservationId: reservation.reservation_id, realizedLoss: '2' });
      await settleRestarted;
      expect(settled).toMatchObject({ outcome: 'settled', idempotent_replay: true, reservation: { id: reservation.reservation_id, status: 'settled', realized_loss: expect.stringMatching(/^2(\.0*)?$/) } });
      const [after] = await sql(`SELECT exposure_used::numeric(19,4)::text AS exposure_used, open_risk_reserved::numeric(19,4)::text AS open_risk_reserved, realized_loss::numeric(19,4)::text AS realized_loss, actions_count::int FROM risk_ledger_day WHERE engine = $1`, [ENGINE]);
      expect(after).toEqual({ exposure_used: '7.2500', open_risk_reserved: '0.0000', realized_loss: '2.0000', actions_count: 1 });
      const events = await sql(`SELECT kind, outcome FROM risk_event WHERE engine = $1 AND outcome IN ('allowed', 'settled') ORDER BY id`, [ENGINE]);
      expect(events).toEqual([
        { kind: 'reserve', outcome: 'allowed' },
        { kind: 'settle', outcome: 'settled' },
      ]);
    } finally {
      await proxy.close();
    }
  }, BUILD_TIMEOUT_MS + 3 * READY_TIMEOUT_MS);
});
