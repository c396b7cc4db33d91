import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type EmbeddedServer, startEmbeddedPostgres } from '#platform';
import { freezePostgres } from '../bench/pg-freeze.js';
import { PRODUCTION_DB_TIMEOUTS, startTestApp, type TestApp } from './support/test-app.js';

const R = '/api/governance/risk';

/** One query on its own connection (the harness's pool would raise an unhandled error when the server stops under it). */
async function query(url: string, text: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

/**
 * This file owns its PostgreSQL: it SIGSTOPs it (a hung database, not a dead one), which would
 * freeze every other test file on the shared server.
 */
describe('a hung database fails closed', () => {
  let root: string;
  let server: EmbeddedServer;
  let t: TestApp;
  let engine: string;
  let resume: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'warden-hung-'));
    await chmod(root, 0o755);
    server = await startEmbeddedPostgres(join(root, 'pgdata'));
    t = await startTestApp({ databaseUrl: server.url, env: PRODUCTION_DB_TIMEOUTS });
    engine = await t.token('engine');
  });
  afterAll(async () => {
    await resume?.();
    await t?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  it('reserve, POST /api/deals and /go-live/state answer 503 while it is frozen, and nothing answered 503 commits after it wakes', async () => {
    const config = t.app.get((await import('#platform')).WardenConfig);
    // The documented bound (docs/failure-modes.md): pool acquisition + statement timeout + client grace,
    // after the go-live copy went stale for routes served from it. Generous: this asserts ordering, not speed.
    const bound = config.DB_POOL_ACQUIRE_TIMEOUT_MS + config.DB_STATEMENT_TIMEOUT_MS + 250;
    const warm = await t.http('POST', `${R}/check-and-reserve`, { engine: 'WHOLESALE', amount: '1', correlation_id: 'warm-1' }, { token: engine });
    expect(warm.status).toBe(201);
    const deal = await t.http('POST', '/api/deals', { counterparty: 'acme', amount: '1' }, { token: engine });
    expect(deal.status).toBe(201);

    resume = (await freezePostgres(server.dataDir)).resume;
    let resumedAt = Infinity;
    try {
      const fired = [
        ...Array.from({ length: 12 }, (_, i) =>
          t.http('POST', `${R}/check-and-reserve`, { engine: 'WHOLESALE', amount: '1', correlation_id: `hung-${i}` }, { token: engine }),
        ),
        t.http('POST', '/api/deals', { counterparty: 'frozen', amount: '1', correlation_id: 'hung-deal' }, { token: engine }),
      ].map((p) => p.then((res) => ({ ...res, at: Date.now() })));
      // Safety net only: if Warden hangs like it used to, wake the database so the test fails instead of hanging.
      const guard = setTimeout(() => {
        resumedAt = Date.now();
        void resume!();
      }, 20 * bound);
      const answers = await Promise.all(fired);
      // /go-live/state is served from the in-memory copy while that is within its bound; then it must re-read and fail closed.
      let state = await t.http('GET', '/api/governance/go-live/state', undefined, { token: engine });
      while (state.status === 200 && Date.now() < resumedAt) {
        await new Promise((r) => setTimeout(r, 100));
        state = await t.http('GET', '/api/governance/go-live/state', undefined, { token: engine });
      }
      const stateAt = Date.now();
      clearTimeout(guard);
      for (const a of answers) {
        expect({ status: a.status, error: a.body?.error }).toEqual({ status: 503, error: 'governance_unavailable' });
        expect(a.at).toBeLessThan(resumedAt);
      }
      expect({ status: state.status, error: state.body?.error }).toEqual({ status: 503, error: 'governance_unavailable' });
      expect(stateAt).toBeLessThan(resumedAt);
    } finally {
      await resume();
    }

    // Awake again: Warden recovers by itself, and none of the 503'd requests committed meanwhile.
    let health = 0;
    for (let i = 0; i < 100 && health !== 200; i++) {
      health = (await t.http('GET', '/health', undefined, { token: null })).status;
      if (health !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(health).toBe(200);
    const after = await t.http('POST', `${R}/check-and-reserve`, { engine: 'WHOLESALE', amount: '1', correlation_id: 'after-1' }, { token: engine });
    expect(after.status).toBe(201);
    const reservations = await query(t.databaseUrl, `SELECT correlation_id FROM risk_reservation WHERE correlation_id LIKE 'hung-%' OR correlation_id LIKE 'deal:hung-%'`);
    const events = await query(t.databaseUrl, `SELECT correlation_id FROM risk_event WHERE correlation_id LIKE 'hung-%' OR correlation_id LIKE 'deal:hung-%'`);
    const deals = await query(t.databaseUrl, `SELECT correlation_id FROM deal WHERE correlation_id = 'hung-deal'`);
    expect({ reservations, events, deals }).toEqual({ reservations: [], events: [], deals: [] });
  });

  it('with the database stopped: token lookup, reserve, settle, state and /health answer 503 governance_unavailable', async () => {
    const reserved = await t.http('POST', `${R}/check-and-reserve`, { engine: 'WHOLESALE', amount: '1', correlation_id: 'down-1' }, { token: engine });
    expect(reserved.status).toBe(201);
    const unused = await t.token('engine'); // never used: not in the token cache
    await server.stop();

    const lookup = await t.http('GET', '/api/deals', undefined, { token: unused });
    expect({ status: lookup.status, error: lookup.body.error }).toEqual({ status: 503, error: 'governance_unavailable' });
    const reserve = await t.http('POST', `${R}/check-and-reserve`, { engine: 'WHOLESALE', amount: '1', correlation_id: 'down-2' }, { token: engine });
    expect({ status: reserve.status, error: reserve.body.error }).toEqual({ status: 503, error: 'governance_unavailable' });
    const settle = await t.http('POST', `${R}/settle`, { correlation_id: 'down-1', realized_loss: '0' }, { token: engine });
    expect({ status: settle.status, error: settle.body.error }).toEqual({ status: 503, error: 'governance_unavailable' });
    let state = await t.http('GET', '/api/governance/go-live/state', undefined, { token: engine });
    for (let i = 0; i < 100 && state.status === 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = await t.http('GET', '/api/governance/go-live/state', undefined, { token: engine });
    }
    expect({ status: state.status, error: state.body.error }).toEqual({ status: 503, error: 'governance_unavailable' });
    const health = await t.http('GET', '/health', undefined, { token: null });
    expect(health.status).toBe(503);
    expect(health.body).toEqual({
      statusCode: 503,
      error: 'governance_unavailable',
      message: expect.any(String),
      reason_codes: ['governance_unavailable'],
      details: { database: 'down' },
    });
  });
});
