import { successes, TRIPWIRE_API, tripwireTokens } from './support/factories/tripwire.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The original stack's week-2 drill, over HTTP, on the seeded WHOLESALE/contract_rate tripwire
 * (THROTTLE, max drop 0.20) in its own database: enable it; 200 events at 95% → ok; 50 at 75% →
 * triggered, the WHOLESALE risk policy is disabled and POST /api/deals is denied policy_disabled;
 * an operator re-enables it and deals flow again.
 */
describe('regression tripwire: the week-2 drill (WHOLESALE/contract_rate → THROTTLE)', () => {
  let t: TestApp;
  let operator: string;
  let engine: string;

  beforeAll(async () => {
    t = await startTestApp();
    ({ operator, engine } = await tripwireTokens(t));
  });
  afterAll(() => t.close());

  const API = TRIPWIRE_API;
  /** n outcomes at this success rate, spread evenly, keyed `<prefix>-<i>`. */
  const outcomes = (n: number, rate: number, prefix: string) => successes('WHOLESALE', 'contract_rate', n, rate, prefix);
  const evaluate = () => t.http('POST', `${API}/evaluate?domain=WHOLESALE&metric=contract_rate`, undefined, { token: engine });
  const deal = (ref: string) => t.http('POST', '/api/deals', { counterparty: 'acme', amount: '10', correlation_id: ref }, { token: engine });
  const wholesalePolicy = async () =>
    (await t.http('GET', '/api/governance/risk/policies', undefined, { token: operator })).body.find((p: any) => p.engine === 'WHOLESALE');

  it('runs the drill end to end', async () => {
    // Week 2, step 7: enable one regression policy.
    const enabled = await t.http('POST', `${API}/policies/upsert`, { domain: 'WHOLESALE', metric: 'contract_rate', enabled: true, reason: 'week 2 drill' }, { token: operator });
    expect(enabled.body).toMatchObject({ enabled: true, action: 'THROTTLE', target_engine: 'WHOLESALE', max_drop_fraction: 0.2 });

    // Step 8: 200 events at 95% success; step 9: evaluate → ok.
    const baseline = await t.http('POST', `${API}/kpi`, { events: outcomes(200, 0.95, 'wk2-base') }, { token: engine });
    expect(baseline.body).toMatchObject({ recorded: 200, duplicates: 0 });
    const ok = await evaluate();
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'ok', kind: 'success_rate', n_current: 50, n_baseline: 150, action: { fired: false } });
    expect((await deal('wk2-before')).status).toBe(201);

    // Step 10: inject degradation, 50 events at 75%; step 11: evaluate → auto-throttle.
    await t.http('POST', `${API}/kpi`, { events: outcomes(50, 0.75, 'wk2-bad') }, { token: engine });
    const fired = await evaluate();
    expect(fired.body).toMatchObject({
      status: 'triggered',
      reason: 'drop_significant',
      n_current: 50,
      n_baseline: 200,
      action: { type: 'THROTTLE', target_engine: 'WHOLESALE', fired: true, status: 'done', detail: 'risk policy WHOLESALE disabled' },
    });
    expect(fired.body.baseline).toBeCloseTo(0.95, 9);
    expect(fired.body.current).toBeCloseTo(0.74, 9);
    expect(fired.body.drop).toBeGreaterThanOrEqual(0.2);
    expect(fired.body.p_value).toBeLessThan(0.005);

    const throttled = await wholesalePolicy();
    expect(throttled.enabled).toBe(false);
    expect(throttled.disabled_reason).toMatch(/^regression_tripwire WHOLESALE\/contract_rate: .*drop 0\.2211 >= 0\.2/);

    // The engine is throttled: its deals are denied with policy_disabled (and so is a direct reserve).
    const denied = await deal('wk2-throttled');
    expect(denied.status).toBe(403);
    expect(denied.body.reason_codes).toContain('policy_disabled');
    const reserve = await t.http('POST', '/api/governance/risk/check-and-reserve', { engine: 'WHOLESALE', amount: '5', correlation_id: 'wk2-direct' }, { token: engine });
    expect(reserve.status).toBe(403);
    expect(reserve.body.reason_codes).toContain('policy_disabled');

    // Evaluating again while still triggered does not act again.
    expect((await evaluate()).body).toMatchObject({ status: 'triggered', action: { fired: false, status: 'done' } });

    // An operator re-enables the engine (audited by the risk guard); deals flow again.
    const reenabled = await t.http('POST', '/api/governance/risk/policies/upsert', { engine: 'WHOLESALE', enabled: true, reason: 'offer logic rolled back' }, { token: operator });
    expect(reenabled.status).toBe(200);
    expect(reenabled.body.enabled).toBe(true);
    expect((await deal('wk2-after')).status).toBe(201);
    const audit = await t.sql(`SELECT principal, action FROM audit_log WHERE subject LIKE '%WHOLESALE%' AND action LIKE 'risk.%' ORDER BY id`);
    expect(audit.map((a) => a.principal)).toEqual(expect.arrayContaining(['regression_tripwire', expect.stringMatching(/^operator-/)]));

    // The state still reads triggered (the KPI is still down), and the scheduled evaluation
    // does not throttle the engine again behind the operator's back.
    expect((await evaluate()).body.action.fired).toBe(false);
    expect((await wholesalePolicy()).enabled).toBe(true);
    const state = (await t.http('GET', `${API}/state?domain=WHOLESALE&metric=contract_rate`, undefined, { token: operator })).body;
    expect(state).toEqual([expect.objectContaining({ status: 'triggered', trigger_count: 1, action: 'THROTTLE', action_status: 'done' })]);
  });
});
