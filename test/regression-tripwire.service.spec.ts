import { type Principal } from '#platform';
import {
  BaselineResetService,
  KpiIngestService,
  type RecordKpiRequestDto,
  RegressionEvaluationService,
  RegressionPolicyService,
  RegressionStateService,
  type UpsertRegressionPolicyRequestDto,
} from '#regression-tripwire';
import { freshDomain, SMALL_POLICY, successes } from './support/factories/tripwire.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The tripwire's services against the real database, without HTTP: the guarantees that hold
 * whoever calls them (the scheduled job calls them directly).
 */
describe('regression tripwire services (real database)', () => {
  let t: TestApp;
  let policies: RegressionPolicyService;
  let kpis: KpiIngestService;
  let evaluation: RegressionEvaluationService;
  let resets: BaselineResetService;
  let reads: RegressionStateService;
  const operator: Principal = { tokenId: 'test', name: 'service-spec', role: 'operator', engines: null, domains: null };

  beforeAll(async () => {
    t = await startTestApp();
    policies = t.app.get(RegressionPolicyService);
    kpis = t.app.get(KpiIngestService);
    evaluation = t.app.get(RegressionEvaluationService);
    resets = t.app.get(BaselineResetService);
    reads = t.app.get(RegressionStateService);
  });
  afterAll(() => t.close());

  /** A fresh small ALERT policy, fed with `events` (as one batch). */
  async function tripwire(feed: (domain: string, metric: string) => ReturnType<typeof successes>, overrides: Partial<UpsertRegressionPolicyRequestDto> = {}) {
    const domain = freshDomain('S');
    const metric = 'conv';
    await policies.upsert(operator, { ...SMALL_POLICY, ...overrides, domain, metric });
    const events = feed(domain, metric);
    if (events.length) await kpis.record(operator, { events } as RecordKpiRequestDto);
    return { domain, metric };
  }
  const dropping = (domain: string, metric: string) => [...successes(domain, metric, 40, 1), ...successes(domain, metric, 20, 0)];

  it('concurrent evaluations of a new trigger act exactly once, and every caller sees the action done', async () => {
    const { domain, metric } = await tripwire(dropping);
    const results = await Promise.all(Array.from({ length: 6 }, () => evaluation.evaluate(operator, domain, metric)));
    expect(results.every((r) => r.status === 'triggered')).toBe(true);
    expect(results.filter((r) => r.action.fired)).toHaveLength(1);
    expect(results.find((r) => r.action.fired)!.action).toMatchObject({ status: 'done', detail: 'alert recorded' });
    const taken = await t.sql(`SELECT count(*)::int AS n FROM regression_event WHERE domain = $1 AND type = 'action_taken'`, [domain]);
    expect(taken[0].n).toBe(1);
    const [state] = await reads.state({ domain, metric });
    expect(state).toMatchObject({ status: 'triggered', trigger_count: 1, action_status: 'done', evaluations: 6 });
  });

  it('too few events on either side is insufficient_data and never acts', async () => {
    const few = await tripwire((d, m) => successes(d, m, 35, 0)); // 20 current, 15 baseline
    const res = await evaluation.evaluate(operator, few.domain, few.metric);
    expect(res).toMatchObject({ status: 'insufficient_data', reason: 'insufficient_baseline_events', n_current: 20, n_baseline: 15, action: { fired: false, status: 'none' } });
    const none = await tripwire(() => []);
    expect(await evaluation.evaluate(operator, none.domain, none.metric)).toMatchObject({ status: 'insufficient_data', reason: 'insufficient_current_events', n_current: 0 });
    expect(await t.sql(`SELECT 1 FROM regression_event WHERE domain IN ($1, $2) AND type = 'triggered'`, [few.domain, none.domain])).toHaveLength(0);
  });

  it('a baseline reset clears the window without deleting events, then a new drop acts again', async () => {
    const { domain, metric } = await tripwire(dropping);
    expect((await evaluation.evaluate(operator, domain, metric)).action.fired).toBe(true);
    const [after] = await resets.reset(operator, { domain, reason: 'friday' });
    expect(after).toMatchObject({ status: 'insufficient_data', n_current: 0, n_baseline: 0, reset_by: 'service-spec', reset_reason: 'friday', trigger_count: 1 });
    const [{ max }] = await t.sql(`SELECT max(id)::text AS max FROM kpi_event WHERE domain = $1`, [domain]);
    expect(after.reset_event_id).toBe(max);

    await kpis.record(operator, { events: dropping(domain, metric) } as RecordKpiRequestDto);
    const again = await evaluation.evaluate(operator, domain, metric);
    expect(again).toMatchObject({ status: 'triggered', n_baseline: 40, n_current: 20, reset_event_id: max, action: { fired: true } });
    const counted = await t.sql(`SELECT count(*)::int AS n FROM kpi_event WHERE domain = $1`, [domain]);
    expect(counted[0].n).toBe(120);
    const page = await reads.events({ domain, type: 'baseline_reset' });
    expect(page.items).toEqual([expect.objectContaining({ type: 'baseline_reset', details: expect.objectContaining({ reset_event_id: max, previous_reset_event_id: '0' }) })]);
  });

  it('a reset marker never moves back: a second reset with no new events keeps it', async () => {
    const { domain, metric } = await tripwire(dropping);
    const [first] = await resets.reset(operator, { domain, metric, reason: 'one' });
    const [second] = await resets.reset(operator, { domain, metric, reason: 'two' });
    expect(second.reset_event_id).toBe(first.reset_event_id);
    expect(second.reset_reason).toBe('two');
  });

  it('a bound engine may not feed a stream outside its binding; nothing is recorded', async () => {
    const { domain, metric } = await tripwire(() => []);
    const bound: Principal = { tokenId: 'b', name: 'bound-engine', role: 'engine', engines: ['ELSEWHERE'], domains: null };
    await expect(kpis.record(bound, { domain, metric, success: true })).rejects.toMatchObject({ code: 'engine_not_bound' });
    expect(await t.sql(`SELECT 1 FROM kpi_event WHERE domain = $1`, [domain])).toHaveLength(0);
  });
});
