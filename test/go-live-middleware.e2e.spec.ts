import { goLiveTokens } from './support/factories/go-live.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('go-live middleware with enforcement on (GO_LIVE_ENFORCE=1)', () => {
  let t: TestApp;
  let operator: string;
  let engine: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { GO_LIVE_ENFORCE: '1' } });
    ({ operator, engine } = await goLiveTokens(t));
  });
  afterAll(() => t.close());

  it('go-live disabled: /api/deals is 403 go_live_disabled; governance, health and docs stay reachable', async () => {
    expect((await t.http('GET', '/api/governance/go-live/state')).body).toMatchObject({ go_live_enabled: false, enforced: true });
    const read = await t.http('GET', '/api/deals', undefined, { token: engine });
    expect(read.status).toBe(403);
    expect(read.body).toMatchObject({ error: 'go_live_disabled', reason_codes: ['go_live_disabled'] });
    expect((await t.http('POST', '/api/deals', { counterparty: 'acme', amount: '1' }, { token: engine })).body.error).toBe('go_live_disabled');
    expect((await t.http('GET', '/api/governance/go-live/checklist')).status).toBe(200);
    expect((await t.http('GET', '/health', undefined, { token: null })).status).toBe(200);
    expect((await t.http('GET', '/docs', undefined, { token: null })).status).toBe(200);
    expect((await t.http('GET', '/metrics')).status).toBe(200);
    expect((await t.http('GET', '/api/nowhere', undefined, { token: engine })).body.error).toBe('go_live_disabled');
  });

  it('enable lets /api/deals through; disable blocks it again', async () => {
    expect((await t.http('POST', '/api/governance/go-live/enable', { reason: 'launch' }, { token: operator })).status).toBe(200);
    expect((await t.http('GET', '/api/deals', undefined, { token: engine })).status).toBe(200);
    expect((await t.http('POST', '/api/governance/go-live/disable', { reason: 'pause' }, { token: operator })).status).toBe(200);
    expect((await t.http('GET', '/api/deals', undefined, { token: engine })).status).toBe(403);
    expect((await t.http('POST', '/api/governance/go-live/enable', { reason: 'resume' }, { token: operator })).status).toBe(200);
  });
});

describe('kill switch (development, not enforcing go-live)', () => {
  let t: TestApp;
  let operator: string;
  let engine: string;

  beforeAll(async () => {
    t = await startTestApp();
    ({ operator, engine } = await goLiveTokens(t));
  });
  afterAll(() => t.close());

  it('blocks POST /api/deals while GET /api/deals and governance routes still work; release restores', async () => {
    const deal = { counterparty: 'acme', amount: '10.5' };
    expect((await t.http('POST', '/api/deals', deal, { token: engine })).status).toBe(201);
    await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'drill' }, { token: operator });

    const blocked = await t.http('POST', '/api/deals', deal, { token: engine });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error).toBe('kill_switch_engaged');
    expect((await t.http('GET', '/api/deals', undefined, { token: engine })).status).toBe(200);
    expect((await t.http('GET', '/api/governance/go-live/state', undefined, { token: engine })).body.kill_switch_engaged).toBe(true);

    await t.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'drill over' }, { token: operator });
    expect((await t.http('POST', '/api/deals', deal, { token: engine })).status).toBe(201);
  });

  it('a header claiming a lower execution class changes nothing', async () => {
    await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'drill' }, { token: operator });
    const lowering: Array<Record<string, string>> = [{ 'x-execution-class': 'READ' }, { 'x-execution-class': 'SANDBOX' }, { 'x-http-method-override': 'GET' }];
    for (const headers of lowering) {
      const res = await t.http('POST', '/api/deals', { counterparty: 'x', amount: '1' }, { token: engine, headers });
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('kill_switch_engaged');
    }
    const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM deal WHERE counterparty = 'x'`);
    expect(n).toBe(0);
    await t.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'drill over' }, { token: operator });
  });
});
