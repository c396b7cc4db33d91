import { goLiveApi, goLiveTokens } from './support/factories/go-live.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('go-live lever over HTTP', () => {
  let t: TestApp;
  let viewer: string;
  let operator: string;
  let engine: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { GO_LIVE_REQUIRED_ATTESTATIONS: 'runbook_reviewed' } });
    ({ viewer, operator, engine } = await goLiveTokens(t));
  });
  afterAll(() => t.close());

  const state = async () => (await goLiveApi(t).state(viewer)).body;

  it('starts safe: go-live disabled, kill switch released, not enforced in development', async () => {
    expect(await state()).toMatchObject({ go_live_enabled: false, kill_switch_engaged: false, enforced: false });
  });

  it('401 without a token, 401 with an unknown one, 403 for a viewer mutating', async () => {
    expect((await t.http('GET', '/api/governance/go-live/state', undefined, { token: null })).status).toBe(401);
    expect((await t.http('GET', '/api/governance/go-live/state', undefined, { token: 'nope-nope' })).body.error).toBe('unauthorized');
    const res = await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'x' }, { token: viewer });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('forbidden');
    const engineRes = await t.http('POST', '/api/governance/go-live/disable', { reason: 'x' }, { token: engine });
    expect(engineRes.status).toBe(403);
    expect((await state()).kill_switch_engaged).toBe(false);
  });

  it('engage and release the kill switch with JSON and form bodies, recording principal and actor label', async () => {
    const engaged = await t.http('POST', '/api/governance/go-live/kill-switch/engage', { actor: 'alice', reason: 'incident 42' }, { token: operator });
    expect(engaged.status).toBe(200);
    expect(engaged.body).toMatchObject({ kill_switch_engaged: true, reason: 'incident 42' });
    const released = await t.http('POST', '/api/governance/go-live/kill-switch/release', undefined, {
      token: operator,
      raw: 'actor=alice&reason=resolved',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ kill_switch_engaged: false, reason: 'resolved' });
    const audit = await t.sql(`SELECT principal, actor_label, action, reason FROM audit_log WHERE action LIKE 'go_live.kill_switch%' ORDER BY id`);
    expect(audit).toEqual([
      expect.objectContaining({ action: 'go_live.kill_switch.engage', actor_label: 'alice', reason: 'incident 42' }),
      expect.objectContaining({ action: 'go_live.kill_switch.release', actor_label: 'alice', reason: 'resolved' }),
    ]);
    expect(audit[0].principal).toMatch(/^operator-/);
  });

  it('bad bodies are 400 naming the field and change nothing', async () => {
    const before = await state();
    for (const [path, body] of [
      ['/api/governance/go-live/disable', {}],
      ['/api/governance/go-live/kill-switch/engage', { reason: '' }],
      ['/api/governance/go-live/kill-switch/engage', { reason: 'ok', extra: 1 }],
      ['/api/governance/go-live/kill-switch/release', { reason: 42 }],
    ] as const) {
      const res = await t.http('POST', path, body, { token: operator });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('validation_failed');
      expect(res.body.message).toMatch(/reason|extra/);
    }
    const broken = await t.http('POST', '/api/governance/go-live/disable', undefined, { token: operator, raw: '{"reason":', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(broken.body.error).toBe('invalid_json');
    expect((await t.http('PUT', '/api/governance/go-live/checklist/Bad-Item', { attested: true }, { token: operator })).status).toBe(400);
    const computed = await t.http('PUT', '/api/governance/go-live/checklist/backend_complete', { attested: true }, { token: operator });
    expect(computed.status).toBe(400);
    expect(computed.body.error).toBe('unknown_checklist_item');
    expect((await t.sql(`SELECT count(*)::int AS n FROM go_live_attestation`))[0].n).toBe(0);
    expect(await state()).toEqual(before);
  });

  it('a body over 1 MiB is 413', async () => {
    const res = await t.http('POST', '/api/governance/go-live/disable', { reason: 'x'.repeat(1_100_000) }, { token: operator });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');
  });

  it('enable is refused with 412 and the checklist while an item fails, and works once attested', async () => {
    const refused = await t.http('POST', '/api/governance/go-live/enable', { reason: 'launch' }, { token: operator });
    expect(refused.status).toBe(412);
    expect(refused.body.error).toBe('checklist_failed');
    expect(refused.body.reason_codes).toContain('runbook_reviewed');
    expect(refused.body.details.required.runbook_reviewed.ok).toBe(false);
    expect((await state()).go_live_enabled).toBe(false);

    const attest = await t.http('PUT', '/api/governance/go-live/checklist/runbook_reviewed', { attested: true, note: 'reviewed' }, { token: operator });
    expect(attest.status).toBe(200);
    expect(attest.body.required.runbook_reviewed.ok).toBe(true);
    const checklist = (await t.http('GET', '/api/governance/go-live/checklist', undefined, { token: viewer })).body;
    expect(checklist.required.backend_complete).toMatchObject({ ok: true });
    expect(checklist.required.required_packs_installed).toMatchObject({ ok: true });
    expect(checklist.ok).toBe(true);

    const enabled = await t.http('POST', '/api/governance/go-live/enable', { reason: 'launch' }, { token: operator });
    expect(enabled.status).toBe(200);
    expect(enabled.body.go_live_enabled).toBe(true);
    const disabled = await t.http('POST', '/api/governance/go-live/disable', { reason: 'weekend' }, { token: operator });
    expect(disabled.body.go_live_enabled).toBe(false);
  });

  it('health and docs need no token; metrics are Prometheus text', async () => {
    expect((await t.http('GET', '/health', undefined, { token: null })).body.status).toBe('ok');
    expect((await t.http('GET', '/docs', undefined, { token: null })).status).toBe(200);
    const openapi = await t.http('GET', '/docs-json', undefined, { token: null });
    expect(Object.keys(openapi.body.paths)).toContain('/api/governance/go-live/kill-switch/engage');
    const metrics = await t.http('GET', '/metrics', undefined, { token: viewer });
    expect(metrics.body).toContain('warden_http_requests_total');
    expect(metrics.body).toContain('warden_decisions_total{lever="go_live"');
  });
});
