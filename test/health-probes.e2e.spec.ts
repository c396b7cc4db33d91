import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedServer, startEmbeddedPostgres } from '#platform';
import { freezePostgres } from '../bench/pg-freeze.js';
import { PRODUCTION_DB_TIMEOUTS, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Liveness and readiness. This file owns its PostgreSQL: it SIGSTOPs it (a hung database), which
 * would freeze every other test file on the shared server. Go-live is enforced and off, so a probe
 * that were not exempt would answer 403.
 */
describe('/livez and /readyz', () => {
  let root: string;
  let server: EmbeddedServer;
  let t: TestApp;
  let resume: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'warden-probes-'));
    await chmod(root, 0o755);
    server = await startEmbeddedPostgres(join(root, 'pgdata'));
    t = await startTestApp({ databaseUrl: server.url, env: { ...PRODUCTION_DB_TIMEOUTS, GO_LIVE_ENFORCE: '1' } });
  });
  afterAll(async () => {
    await resume?.();
    await t?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  const probe = (path: string) => t.http('GET', path, undefined, { token: null });

  it('healthy: /livez 200, /readyz 200 with the database and the job runner up, both without a token and past go-live', async () => {
    expect((await t.http('GET', '/api/deals')).status).toBe(403); // go-live enforced and disabled
    const live = await probe('/livez');
    expect({ status: live.status, body: live.body }).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await probe('/readyz');
    expect(ready.status).toBe(200);
    const up = { database: expect.objectContaining({ status: 'up' }), jobs: { status: 'up', state: 'running', registered: expect.any(Number) } };
    expect(ready.body).toEqual({ status: 'ok', info: up, error: {}, details: up });
    expect(ready.body.info.jobs.registered).toBeGreaterThan(0);
  });

  it('frozen database: /livez still 200 at once, /readyz 503 within the bound, /health 503 as before; all recover after it wakes', async () => {
    const config = t.app.get((await import('#platform')).WardenConfig);
    const bound = config.DB_POOL_ACQUIRE_TIMEOUT_MS + config.DB_STATEMENT_TIMEOUT_MS + 250;
    resume = (await freezePostgres(server.dataDir)).resume;
    let resumedAt = Infinity;
    // Safety net only: if a probe hangs, wake the database so the test fails instead of hanging.
    const guard = setTimeout(() => {
      resumedAt = Date.now();
      void resume!();
    }, 20 * bound);
    try {
      const started = Date.now();
      const [live, ready, health] = await Promise.all([probe('/livez'), probe('/readyz'), probe('/health')].map((p) => p.then((r) => ({ ...r, at: Date.now() }))));
      expect({ status: live.status, body: live.body }).toEqual({ status: 200, body: { status: 'ok' } });
      expect({ status: ready.status, error: ready.body?.error, details: ready.body?.details }).toEqual({
        status: 503,
        error: 'governance_unavailable',
        details: { database: 'down', jobs: 'running' },
      });
      expect({ status: health.status, error: health.body?.error }).toEqual({ status: 503, error: 'governance_unavailable' });
      for (const answer of [live, ready, health]) expect(answer.at).toBeLessThan(resumedAt);
      // Once the database is known down, liveness is still answered while readiness fails fast.
      const again = await Promise.all([probe('/livez'), probe('/readyz')]);
      expect(again.map((r) => r.status)).toEqual([200, 503]);
      expect(Date.now()).toBeLessThan(resumedAt);
      expect(ready.at - started).toBeLessThan(20 * bound);
    } finally {
      clearTimeout(guard);
      await resume();
    }

    let ready = 0;
    for (let i = 0; i < 100 && ready !== 200; i++) {
      ready = (await probe('/readyz')).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready).toBe(200);
    expect((await probe('/health')).status).toBe(200);
  });
});

describe('/readyz where this instance runs no jobs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { JOBS_ENABLED: '0' } });
  });
  afterAll(() => t?.close());

  it('is ready with the database up: jobs are disabled by configuration, not stopped', async () => {
    const ready = await t.http('GET', '/readyz', undefined, { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body.info.jobs).toEqual({ status: 'up', state: 'disabled', registered: expect.any(Number) });
  });
});
