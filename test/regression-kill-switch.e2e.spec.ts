import { TRIPWIRE_API, tripwireTokens, wave } from './support/factories/tripwire.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The seeded CAPITAL/roi_event tripwire (KILL_SWITCH, max drop 0.30, a mean-value KPI) over HTTP,
 * in its own database: a ROI collapse halts every PROD_EXEC route through the go-live kill switch,
 * while settling open risk, recording KPIs, evaluating, reading and governance keep working;
 * releasing is an operator's act. The CAPITAL engine's token is bound to domain CAPITAL — only such a
 * token may feed a KILL_SWITCH tripwire — and evaluating it is an operator's call (docs/auth.md).
 */
describe('regression tripwire: KILL_SWITCH on CAPITAL/roi_event', () => {
  let t: TestApp;
  let operator: string;
  let engine: string;
  let capital: string;

  beforeAll(async () => {
    t = await startTestApp();
    ({ operator, engine, bound: capital } = await tripwireTokens(t, { engines: ['CAPITAL'], domains: ['CAPITAL'] }));
  });
  afterAll(() => t.close());

  const API = TRIPWIRE_API;
  /** ROI values around `mean` with a ±20% spread, deterministic. */
  const roi = (mean: number, n: number) => wave('CAPITAL', 'roi_event', mean, n);
  const goLive = async () => (await t.http('GET', '/api/governance/go-live/state', undefined, { token: operator })).body;
  const deal = (ref: string) => t.http('POST', '/api/deals', { counterparty: 'acme', amount: '10', correlation_id: ref }, { token: engine });

  it('a ROI collapse engages the kill switch once; PROD_EXEC and new risk are halted; settle, KPIs, evaluation and governance still work', async () => {
    const enabled = await t.http('POST', `${API}/policies/upsert`, { domain: 'CAPITAL', metric: 'roi_event', enabled: true, reason: 'week 2' }, { token: operator });
    expect(enabled.body).toMatchObject({ enabled: true, action: 'KILL_SWITCH', max_drop_fraction: 0.3, alpha: 0.005 });

    expect((await t.http('POST', `${API}/kpi`, { events: roi(0.12, 250) }, { token: capital })).status).toBe(201);
    const ok = await t.http('POST', `${API}/evaluate?domain=CAPITAL&metric=roi_event`, undefined, { token: operator });
    expect(ok.body).toMatchObject({ status: 'ok', kind: 'mean_value', n_current: 50, n_baseline: 200 });
    expect((await deal('before-halt')).status).toBe(201);
    // CAPITAL takes a position before the halt; it is still open when the kill switch engages.
    const reserved = await t.http('POST', '/api/governance/risk/check-and-reserve', { engine: 'CAPITAL', amount: '50', correlation_id: 'cap-open-1' }, { token: capital });
    expect(reserved.status).toBe(201);

    // ROI halves.
    expect((await t.http('POST', `${API}/kpi`, { events: roi(0.06, 50) }, { token: capital })).status).toBe(201);
    const fired = await t.http('POST', `${API}/evaluate?domain=CAPITAL&metric=roi_event`, undefined, { token: operator });
    expect(fired.body).toMatchObject({ status: 'triggered', reason: 'drop_significant', action: { type: 'KILL_SWITCH', fired: true, status: 'done', detail: 'kill switch engaged' } });
    expect(fired.body.drop).toBeCloseTo(0.5, 9);

    const state = await goLive();
    expect(state.kill_switch_engaged).toBe(true);
    expect(state.changed_by).toBe('regression_tripwire');
    expect(state.reason).toMatch(/^regression_tripwire CAPITAL\/roi_event: .*drop 0\.5 >= 0\.3/);

    // Production execution is halted, in every environment.
    const halted = await deal('during-halt');
    expect([halted.status, halted.body.error]).toEqual([403, 'kill_switch_engaged']);

    const newRisk = await t.http('POST', '/api/governance/risk/check-and-reserve', { engine: 'CAPITAL', amount: '5', correlation_id: 'cap-open-2' }, { token: capital });
    expect(newRisk.status).toBe(403);
    expect(newRisk.body.reason_codes).toContain('kill_switch_engaged');

    // A halt still lets risk go down: the open CAPITAL position settles during the halt.
    const settled = await t.http('POST', '/api/governance/risk/settle', { correlation_id: 'cap-open-1', realized_loss: '7.5' }, { token: capital });
    expect(settled.status).toBe(200);
    expect(JSON.stringify(settled.body)).toContain('7.5');

    // Lowering risk and observing keep working: KPIs are recorded, evaluation runs (without firing again).
    expect((await t.http('POST', `${API}/kpi`, { domain: 'CAPITAL', metric: 'roi_event', value: 0.05 }, { token: capital })).status).toBe(201);
    const again = await t.http('POST', `${API}/evaluate?domain=CAPITAL&metric=roi_event`, undefined, { token: operator });
    expect(again.body).toMatchObject({ status: 'triggered', action: { fired: false, status: 'done' } });
    expect((await t.http('GET', `${API}/state?domain=CAPITAL`, undefined, { token: operator })).status).toBe(200);
    const engages = await t.sql(`SELECT principal, reason FROM audit_log WHERE action = 'go_live.kill_switch.engage'`);
    expect(engages).toHaveLength(1);
    expect(engages[0].principal).toBe('regression_tripwire');

    // Releasing is an operator's act (audited by go-live); production resumes.
    const released = await t.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'ROI feed fixed', actor: 'ops' }, { token: operator });
    expect(released.body.kill_switch_engaged).toBe(false);
    expect((await deal('after-release')).status).toBe(201);
  });
});
