import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedServer } from '#platform';
import { startTestApp, type TestApp } from './support/test-app.js';

/** This file owns its PostgreSQL so it can stop it under the running app. */
describe('fail closed when the database is gone', () => {
  let root: string;
  let server: EmbeddedServer;
  let t: TestApp;
  let engine: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'warden-failclosed-'));
    await chmod(root, 0o755);
    server = await startEmbeddedPostgres(join(root, 'pgdata'));
    t = await startTestApp({ databaseUrl: server.url, env: { GO_LIVE_CACHE_BOUND_MS: '500' } });
    engine = await t.token('engine');
  });
  afterAll(async () => {
    await t.close().catch(() => undefined);
    await server.stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  it('POST /api/deals answers 503 governance_unavailable once the cache is stale, never 2xx', async () => {
    expect((await t.http('POST', '/api/deals', { counterparty: 'acme', amount: '1' }, { token: engine })).status).toBe(201);
    await server.stop();
    const statuses: number[] = [];
    const start = Date.now();
    while (Date.now() - start < 1500) {
      const res = await t.http('POST', '/api/deals', { counterparty: 'acme', amount: '1' }, { token: engine });
      statuses.push(res.status);
      if (Date.now() - start > 700) expect(res.body.error).toBe('governance_unavailable');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(statuses.every((s) => s >= 400)).toBe(true);
    expect(statuses[statuses.length - 1]).toBe(503);
    const health = await t.http('GET', '/health', undefined, { token: null });
    expect(health.status).toBe(503);
  });

  it('new risk and production eligibility fail closed with 503 too, never an allow', async () => {
    const reserve = await t.http('POST', '/api/governance/risk/check-and-reserve', { engine: 'WHOLESALE', amount: '1', correlation_id: 'fc-1' }, { token: engine });
    expect(reserve.status).toBe(503);
    expect(reserve.body.error).toBe('governance_unavailable');
    const recommend = await t.http('POST', '/api/governance/heimdall/recommend', { domain: 'WHOLESALE_OFFER', confidence: 0.99 }, { token: engine });
    expect(recommend.status).toBe(503);
    const offers = await t.http('POST', '/api/offers', { buyer: 'acme', amount: '10', confidence: 0.99 }, { token: engine });
    expect(offers.status).toBe(503);
  });
});
