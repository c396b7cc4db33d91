import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DatabaseGate, type EmbeddedServer, GuardedClient, ReadOnlyDatabase, startEmbeddedPostgres, WardenConfig } from '#platform';
import { freezePostgres } from '../bench/pg-freeze.js';
import { PRODUCTION_DB_TIMEOUTS, startTestApp, type TestApp } from './support/test-app.js';

const R = '/api/governance/risk';

/** One query on its own connection (a pool would raise an unhandled error when the server stops under it). */
async function query(url: string, text: string): Promise<any[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

async function rejection(p: Promise<unknown>): Promise<{ name?: string; code?: string; message?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { name?: string; code?: string; message?: string };
  }
  throw new Error('expected the statement to be refused, and it ran');
}

/**
 * The read path (ReadOnlyDatabase): hot reads run on read-only sessions without the held-back Sync
 * (docs/failure-modes.md "Reads"). This file owns its PostgreSQL: it SIGSTOPs it.
 */
describe('fail-closed reads on read-only sessions', () => {
  let root: string;
  let server: EmbeddedServer;
  let t: TestApp;
  let reads: ReadOnlyDatabase;
  let resume: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'warden-reads-'));
    await chmod(root, 0o755);
    server = await startEmbeddedPostgres(join(root, 'pgdata'));
    t = await startTestApp({ databaseUrl: server.url, env: PRODUCTION_DB_TIMEOUTS });
    reads = t.app.get(ReadOnlyDatabase);
  });
  afterAll(async () => {
    await resume?.();
    await t?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  it('runs on read-only sessions, and a write sent there by mistake fails instead of committing', async () => {
    expect(await reads.query(`SELECT current_setting('default_transaction_read_only') AS ro`)).toEqual([{ ro: 'on' }]);
    const before = await t.sql(`SELECT reason, version FROM go_live_state WHERE id = 1`);

    const update = await rejection(reads.query(`UPDATE go_live_state SET reason = 'written on the read path' WHERE id = 1`));
    expect(update.code).toBe('25006'); // read_only_sql_transaction
    const locking = await rejection(reads.query(`SELECT version FROM go_live_state WHERE id = 1 FOR UPDATE`));
    expect(locking.code).toBe('25006');
    const cte = await rejection(reads.query(`WITH w AS (UPDATE go_live_state SET reason = 'cte' WHERE id = 1 RETURNING 1) SELECT * FROM w`));
    expect(cte.code).toBe('25006');
    const sequence = await rejection(reads.query(`SELECT nextval(pg_get_serial_sequence('risk_event', 'id'))`));
    expect(sequence.code).toBe('25006');
    // One statement only (extended protocol), and no session statements that could lift read-only.
    const piggyback = await rejection(reads.query(`SELECT 1; UPDATE go_live_state SET reason = 'piggyback' WHERE id = 1`));
    expect(piggyback.code).toBe('42601');
    const set = await rejection(reads.query(`SET default_transaction_read_only = off`));
    expect(set.name).toBe('ReadOnlySessionError');
    const begin = await rejection(reads.query(`BEGIN READ WRITE`));
    expect(begin.name).toBe('ReadOnlySessionError');

    // Lifted from inside a query: the server reports it (ParameterStatus) and that connection runs nothing more.
    // The pool hands back the connection released last, so the next statement meets the same one.
    await reads.query(`SELECT set_config('default_transaction_read_only', 'off', false)`);
    const after = await rejection(reads.query(`UPDATE go_live_state SET reason = 'after set_config' WHERE id = 1`));
    expect({ name: after.name, code: after.code }).toEqual({ name: 'ReadOnlySessionError', code: 'WARDEN_READ_ONLY_SESSION' });
    expect(await reads.query(`SELECT current_setting('default_transaction_read_only') AS ro`)).toEqual([{ ro: 'on' }]);

    expect(await t.sql(`SELECT reason, version FROM go_live_state WHERE id = 1`)).toEqual(before);
  });

  it('a read-only client refuses a session the server did not start read-only', async () => {
    const pool = new pg.Pool({
      connectionString: t.databaseUrl,
      max: 1,
      Client: GuardedClient,
      warden: { gate: t.app.get(DatabaseGate), queryTimeoutMs: 5000, readOnly: true },
    } as unknown as pg.PoolConfig);
    pool.on('error', () => undefined);
    try {
      const refused = await rejection(pool.query(`UPDATE go_live_state SET reason = 'read-write session' WHERE id = 1`));
      expect(refused.name).toBe('ReadOnlySessionError');
    } finally {
      await pool.end();
    }
    expect((await t.sql(`SELECT reason FROM go_live_state WHERE id = 1`))[0].reason).not.toBe('read-write session');
  });

  it('with the database frozen, reads on the read path answer 503 within the bound; writes answered 503 never commit', async () => {
    const config = t.app.get(WardenConfig);
    const bound = config.DB_POOL_ACQUIRE_TIMEOUT_MS + config.DB_STATEMENT_TIMEOUT_MS + 250;
    const engine = await t.token('engine');
    const uncached = await t.token('engine'); // never used before the freeze: its lookup has to read
    expect((await t.http('GET', `${R}/policies`, undefined, { token: engine })).status).toBe(200);
    expect((await t.http('GET', `${R}/ledger/today`, undefined, { token: engine })).status).toBe(200);
    expect((await t.http('POST', `${R}/check-and-reserve`, { engine: 'WHOLESALE', amount: '1', correlation_id: 'r-warm' }, { token: engine })).status).toBe(201);
    // The reads really went through the read pool's sessions.
    const sessions = await t.sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'warden-read'`);
    expect(sessions[0].n).toBeGreaterThan(0);

    resume = (await freezePostgres(server.dataDir)).resume;
    let resumedAt = Infinity;
    const timed = (kind: 'read' | 'write', p: Promise<{ status: number; body: any }>) => {
      const sent = Date.now();
      return p.then((res) => ({ kind, status: res.status, error: res.body?.error, ms: Date.now() - sent, at: Date.now() }));
    };
    try {
      const guard = setTimeout(() => {
        resumedAt = Date.now();
        void resume!();
      }, 20 * bound);
      const answers = await Promise.all([
        ...Array.from({ length: 4 }, () => timed('read', t.http('GET', `${R}/policies`, undefined, { token: engine }))),
        ...Array.from({ length: 2 }, () => timed('read', t.http('GET', `${R}/ledger/today`, undefined, { token: engine }))),
        timed('read', t.http('GET', '/api/deals', undefined, { token: uncached })),
        ...Array.from({ length: 4 }, (_, i) =>
          timed('write', t.http('POST', `${R}/check-and-reserve`, { engine: 'WHOLESALE', amount: '1', correlation_id: `r-hung-${i}` }, { token: engine })),
        ),
        timed('write', t.http('POST', '/api/governance/tokens', { name: 'made-while-frozen', role: 'engine' })),
      ]);
      // /go-live/state: served from memory within its bound, then re-read on the read path, which must fail closed.
      let state = await t.http('GET', '/api/governance/go-live/state', undefined, { token: engine });
      while (state.status === 200 && Date.now() < resumedAt) {
        await new Promise((r) => setTimeout(r, 100));
        state = await t.http('GET', '/api/governance/go-live/state', undefined, { token: engine });
      }
      clearTimeout(guard);
      for (const a of answers) {
        expect({ kind: a.kind, status: a.status, error: a.error }).toEqual({ kind: a.kind, status: 503, error: 'governance_unavailable' });
        expect(a.at).toBeLessThan(resumedAt);
      }
      // Within the bound: a read waiting on the frozen server would hang until the safety net (20x).
      // The margin is for a loaded two-core machine; the bench measures the bound itself.
      const slowestRead = Math.max(...answers.filter((a) => a.kind === 'read').map((a) => a.ms));
      expect(slowestRead).toBeLessThan(2 * bound);
      expect({ status: state.status, error: state.body?.error }).toEqual({ status: 503, error: 'governance_unavailable' });
    } finally {
      await resume();
    }

    let health = 0;
    for (let i = 0; i < 100 && health !== 200; i++) {
      health = (await t.http('GET', '/health', undefined, { token: null })).status;
      if (health !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(health).toBe(200);
    // The read path recovers by itself (its frozen connections were dropped, new ones open).
    expect((await t.http('GET', `${R}/policies`, undefined, { token: engine })).status).toBe(200);
    expect((await t.http('GET', '/api/deals', undefined, { token: uncached })).status).toBe(200);
    // Give a late commit every chance to land, then look: nothing answered 503 committed.
    await new Promise((r) => setTimeout(r, 500));
    const reservations = await query(t.databaseUrl, `SELECT correlation_id FROM risk_reservation WHERE correlation_id LIKE 'r-hung-%'`);
    const events = await query(t.databaseUrl, `SELECT correlation_id FROM risk_event WHERE correlation_id LIKE 'r-hung-%'`);
    const tokens = await query(t.databaseUrl, `SELECT name FROM api_token WHERE name = 'made-while-frozen'`);
    expect({ reservations, events, tokens }).toEqual({ reservations: [], events: [], tokens: [] });
  });
});
