import { createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

describe('two instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  let operator: string;
  let engine: string;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    a = await startTestApp({ databaseUrl });
    b = await startTestApp({ databaseUrl });
    [operator, engine] = await Promise.all([a.token('operator'), a.token('engine')]);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('engaging the kill switch through one blocks PROD_EXEC on the other within the staleness bound', async () => {
    const deal = { counterparty: 'acme', amount: '5' };
    expect((await b.http('POST', '/api/deals', deal, { token: engine })).status).toBe(201);

    const engagedAt = Date.now();
    await a.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'incident' }, { token: operator });
    let blockedAfter = -1;
    while (Date.now() - engagedAt < 2000) {
      const res = await b.http('POST', '/api/deals', deal, { token: engine });
      if (res.status === 403 && res.body.error === 'kill_switch_engaged') {
        blockedAfter = Date.now() - engagedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(blockedAfter).toBeGreaterThanOrEqual(0);

    await b.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'resolved' }, { token: operator });
    const releasedAt = Date.now();
    let allowed = false;
    while (!allowed && Date.now() - releasedAt < 2000) {
      allowed = (await a.http('POST', '/api/deals', deal, { token: engine })).status === 201;
    }
    expect(allowed).toBe(true);
  });

  it('a token revoked through one instance is refused by the other at once', async () => {
    const token = await a.token('viewer');
    expect((await b.http('GET', '/api/deals', undefined, { token })).status).toBe(200);
    const [{ id }] = await a.sql(`SELECT id FROM api_token ORDER BY created_at DESC LIMIT 1`);
    expect((await a.http('POST', `/api/governance/tokens/${id}/revoke`, { reason: 'leaked' })).status).toBe(200);
    const start = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - start < 2000) status = (await b.http('GET', '/api/deals', undefined, { token })).status;
    expect(status).toBe(401);
  });
});
