import { loadConfig, SYSTEM_PRINCIPAL } from '#platform';
import { RiskGuardService } from '#risk-guard';
import { auditOf, goLiveApi, goLiveTokens } from './support/factories/go-live.js';
import { engineName, reserveRisk, RISK, upsertRiskPolicy } from './support/factories/risk.js';
import { successes, tripwireApi } from './support/factories/tripwire.js';
import { until, WebhookReceiver } from './support/receiver.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CAPS = { max_daily_exposure: '100', max_open_risk: '100', max_daily_loss: '50' };

/** A risk policy for a fresh engine, then a THROTTLE tripwire on it fired for real over HTTP: the engine is off, by the tripwire. */
async function throttledEngine(t: TestApp, tokens: { operator: string; engine: string }): Promise<string> {
  const engine = engineName('TP');
  await upsertRiskPolicy(t, tokens.operator, { engine, ...CAPS });
  const tw = tripwireApi(t, tokens);
  const { domain, metric } = await tw.policy({ action: 'THROTTLE', target_engine: engine });
  await tw.feed(successes(domain, metric, 40, 0.95));
  await tw.feed(successes(domain, metric, 20, 0.3));
  const fired = await tw.evaluate(domain, metric);
  expect(fired.body).toMatchObject({ status: 'triggered', action: { type: 'THROTTLE', fired: true, status: 'done' } });
  return engine;
}

const policyOf = async (t: TestApp, engine: string) => (await t.sql(`SELECT enabled, disabled_reason, updated_by FROM risk_policy WHERE engine = $1`, [engine]))[0];

describe('WARDEN_TWO_PERSON (config)', () => {
  it('defaults to both acts in production and none in development; none and lists parse; anything else stops the start', () => {
    const prod = loadConfig({ ENV: 'production' });
    expect([prod.twoPerson('kill_switch_release'), prod.twoPerson('engine_reenable')]).toEqual([true, true]);
    const dev = loadConfig({});
    expect([dev.twoPerson('kill_switch_release'), dev.twoPerson('engine_reenable')]).toEqual([false, false]);
    expect(loadConfig({ ENV: 'production', WARDEN_TWO_PERSON: 'none' }).twoPerson('kill_switch_release')).toBe(false);
    const one = loadConfig({ WARDEN_TWO_PERSON: 'engine_reenable' });
    expect([one.twoPerson('kill_switch_release'), one.twoPerson('engine_reenable')]).toEqual([false, true]);
    // The acts are the levers' (registered with approvals): a well-spelled unknown name such as
    // `kill_switch_release,deploy` stops the start in the approvals module (test/approval-acts.e2e.spec.ts);
    // a malformed list stops it here.
    expect(() => loadConfig({ WARDEN_TWO_PERSON: 'kill_switch_release,Deploy It' })).toThrow(/WARDEN_TWO_PERSON/);
    expect(() => loadConfig({ WARDEN_TWO_PERSON: ',' })).toThrow(/WARDEN_TWO_PERSON/);
  });
});

describe('two-person rule on (real HTTP, local webhook receiver)', () => {
  const receiver = new WebhookReceiver();
  let t: TestApp;
  let tokens: Awaited<ReturnType<typeof goLiveTokens>>;
  let api: ReturnType<typeof goLiveApi>;

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({ env: { WARDEN_TWO_PERSON: 'kill_switch_release,engine_reenable', WARDEN_WEBHOOK_URLS: receiver.url } });
    tokens = await goLiveTokens(t);
    api = goLiveApi(t);
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  it('engaging delivers kill_switch.engaged; release asks a second operator and the switch stays engaged until one approves', async () => {
    expect((await api.engage('incident 42', tokens.operator)).status).toBe(200);
    const engaged = await receiver.waitFor((r) => r.some((x) => x.json.topic === 'kill_switch.engaged'));
    expect(engaged.find((x) => x.json.topic === 'kill_switch.engaged')!.json).toMatchObject({
      subject: 'kill_switch',
      body: { kill_switch_engaged: true, reason: 'incident 42' },
      text: expect.stringContaining('Kill switch engaged'),
    });

    const asked = await api.release('incident over', tokens.operator);
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ approval_id: expect.any(String), status: 'pending' });
    expect((await api.state(tokens.viewer)).body.kill_switch_engaged).toBe(true);
    const blocked = await t.http('POST', '/api/deals', { counterparty: 'acme', amount: '1' }, { token: tokens.engine });
    expect([blocked.status, blocked.body.error]).toEqual([403, 'kill_switch_engaged']);

    const self = await api.approve(asked.body.approval_id, tokens.operator);
    expect([self.status, self.body.error]).toEqual([403, 'self_decision_forbidden']);
    expect((await api.state(tokens.viewer)).body.kill_switch_engaged).toBe(true);

    expect((await api.approve(asked.body.approval_id, tokens.operator2)).status).toBe(200);
    await until(async () => (await api.state(tokens.viewer)).body.kill_switch_engaged === false);
    expect((await t.http('POST', '/api/deals', { counterparty: 'acme', amount: '1' }, { token: tokens.engine })).status).toBe(201);

    const [release] = await auditOf(t, 'go_live.kill_switch.release');
    expect(release.details).toMatchObject({ approval_id: asked.body.approval_id, after: { kill_switch_engaged: false } });
    expect(release.details.requested_by).toMatch(/^operator-/);
    expect(release.details.approved_by).toEqual([expect.stringMatching(/^operator-/)]);
    expect(release.details.approved_by[0]).not.toBe(release.details.requested_by);
    const [state] = await t.sql(`SELECT changed_by FROM go_live_state WHERE id = 1`);
    expect(state.changed_by).toBe(`${release.details.requested_by} (approved by ${release.details.approved_by[0]})`);
    const [grant] = await t.sql(`SELECT consumed_at IS NOT NULL AS consumed FROM approval_request WHERE id = $1`, [asked.body.approval_id]);
    expect(grant.consumed).toBe(true);
    await receiver.waitFor((r) => r.some((x) => x.json.topic === 'kill_switch.released'));
  });

  it('a rejected release leaves the kill switch engaged', async () => {
    await api.engage('incident 43', tokens.operator);
    const asked = await api.release('over?', tokens.operator);
    expect(asked.status).toBe(202);
    expect((await api.reject(asked.body.approval_id, tokens.operator2)).status).toBe(200);
    await until(async () => (await t.sql(`SELECT handled_at IS NOT NULL AS h FROM approval_decided_event WHERE approval_id = $1`, [asked.body.approval_id]))[0].h);
    expect((await api.state(tokens.viewer)).body.kill_switch_engaged).toBe(true);
    // leave the switch released for the next test: a second approved request
    const again = await api.release('really over', tokens.operator2);
    await api.approve(again.body.approval_id, tokens.operator);
    await until(async () => (await api.state(tokens.viewer)).body.kill_switch_engaged === false);
  });

  it('a release request filed over POST /approvals (say by an engine token) is never acted on', async () => {
    await api.engage('incident 44', tokens.operator);
    const filed = await t.http('POST', '/api/governance/approvals', { kind: 'kill_switch_release', subject: 'kill_switch', payload: { action: 'release' }, reason: 'let me go' }, { token: tokens.engine });
    expect(filed.status).toBe(202);
    await api.approve(filed.body.approval_id, tokens.operator);
    await until(async () => (await t.sql(`SELECT handled_at IS NOT NULL AS h FROM approval_decided_event WHERE approval_id = $1`, [filed.body.approval_id]))[0]?.h === true);
    expect((await api.state(tokens.viewer)).body.kill_switch_engaged).toBe(true);
    const asked = await api.release('incident 44 over', tokens.operator);
    await api.approve(asked.body.approval_id, tokens.operator2);
    await until(async () => (await api.state(tokens.viewer)).body.kill_switch_engaged === false);
  });

  it('re-enabling an engine the tripwire throttled waits for a second operator; then it is enabled and audited with both', async () => {
    const engine = await throttledEngine(t, tokens);
    // both notifications arrive (different subjects: no order between them)
    await receiver.waitFor((r) => r.some((x) => x.json.topic === 'engine.throttled' && x.json.subject === `engine:${engine}`));
    const fired = await receiver.waitFor((r) => r.some((x) => x.json.topic === 'tripwire.fired' && x.json.body.target_engine === engine));
    expect(fired.find((x) => x.json.topic === 'tripwire.fired' && x.json.body.target_engine === engine)!.json.body).toMatchObject({ action: 'THROTTLE', outcome: 'done' });
    expect(await policyOf(t, engine)).toMatchObject({ enabled: false, disabled_reason: expect.stringMatching(/^regression_tripwire /) });

    const asked = await t.http('POST', `${RISK}/policies/upsert`, { engine, enabled: true, max_open_risk: '90', reason: 'recovered' }, { token: tokens.operator });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ approval_id: expect.any(String), status: 'pending' });
    // the other fields are written; the engine stays off
    const [written] = await t.sql(`SELECT enabled, max_open_risk FROM risk_policy WHERE engine = $1`, [engine]);
    expect([written.enabled, Number(written.max_open_risk)]).toEqual([false, 90]);
    const denied = await reserveRisk(t, tokens.engine, { engine, amount: 1, correlation_id: `${engine}-1` });
    expect([denied.status, denied.body.reason_codes]).toEqual([403, ['policy_disabled']]);
    // the in-process path holds it too
    const inProcess = await t.app.get(RiskGuardService).enableEngine(SYSTEM_PRINCIPAL, engine, 'in-process');
    expect(inProcess).toMatchObject({ changed: false, approval: { status: 'pending' } });

    expect((await api.approve(asked.body.approval_id, tokens.operator)).status).toBe(403);
    expect((await policyOf(t, engine)).enabled).toBe(false);
    expect((await api.approve(asked.body.approval_id, tokens.operator2)).status).toBe(200);
    await until(async () => (await policyOf(t, engine)).enabled === true);
    const enabled = (await t.sql(`SELECT principal, details FROM audit_log WHERE action = 'risk.policy.enable' AND subject = $1`, [`risk_policy:${engine}`]))[0];
    expect(enabled.details).toMatchObject({ approval_id: asked.body.approval_id, requested_by: expect.stringMatching(/^operator-/), approved_by: [expect.stringMatching(/^operator-/)] });
    expect(enabled.details.approved_by[0]).not.toBe(enabled.details.requested_by);
    await receiver.waitFor((r) => r.some((x) => x.json.topic === 'engine.reenabled' && x.json.subject === `engine:${engine}`));
  });

  it('an engine an operator disabled (not the tripwire) is re-enabled at once', async () => {
    const engine = engineName('OP');
    await upsertRiskPolicy(t, tokens.operator, { engine, ...CAPS, enabled: false, reason: 'maintenance' });
    const res = await t.http('POST', `${RISK}/policies/upsert`, { engine, enabled: true, reason: 'done' }, { token: tokens.operator });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ engine, enabled: true });
  });
});

describe('two-person rule off (WARDEN_TWO_PERSON=none): as before', () => {
  let t: TestApp;
  let tokens: Awaited<ReturnType<typeof goLiveTokens>>;

  beforeAll(async () => {
    t = await startTestApp({ env: { WARDEN_TWO_PERSON: 'none' } });
    tokens = await goLiveTokens(t);
  });
  afterAll(() => t?.close());

  it('release is immediate (200) and a throttled engine is re-enabled at once', async () => {
    const api = goLiveApi(t);
    await api.engage('drill', tokens.operator);
    const released = await api.release('drill over', tokens.operator);
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ kill_switch_engaged: false, changed_by: expect.stringMatching(/^operator-/) });
    expect(await t.sql(`SELECT count(*)::int AS n FROM approval_request`)).toEqual([{ n: 0 }]);

    const engine = await throttledEngine(t, tokens);
    const res = await t.http('POST', `${RISK}/policies/upsert`, { engine, enabled: true, reason: 'recovered' }, { token: tokens.operator });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ engine, enabled: true });
  });
});
