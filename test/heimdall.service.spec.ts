import { Decimal } from 'decimal.js';
import { HeimdallPolicyService, HeimdallScorecardService, HeimdallService, HeimdallTrialsService } from '#heimdall';
import { ManualClock, type Principal, SYSTEM_PRINCIPAL, WardenError } from '#platform';
import { freshDomain } from './support/factories/heimdall.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Heimdall's services against the real database, called in process (no HTTP). */
describe('Heimdall services (real database)', () => {
  let t: TestApp;
  let policies: HeimdallPolicyService;
  let trials: HeimdallTrialsService;
  let heimdall: HeimdallService;
  let scorecard: HeimdallScorecardService;
  const operator: Principal = { tokenId: 'op', name: 'operator-svc', role: 'operator', engines: null, domains: null };
  const engine: Principal = { tokenId: 'en', name: 'engine-svc', role: 'engine', engines: null, domains: null };

  beforeAll(async () => {
    t = await startTestApp({ clock: new ManualClock('2031-06-10T12:00:00Z') });
    policies = t.app.get(HeimdallPolicyService);
    trials = t.app.get(HeimdallTrialsService);
    heimdall = t.app.get(HeimdallService);
    scorecard = t.app.get(HeimdallScorecardService);
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.set('2031-06-10T12:00:00Z'));

  const newDomain = async (over: Partial<Parameters<HeimdallPolicyService['upsert']>[1]> = {}) => {
    const domain = freshDomain('SVC');
    await policies.upsert(operator, { domain, min_confidence: '0.8', min_trials: 4, min_success_rate: '0.75', prod_use_enabled: true, ...over });
    return domain;
  };

  it('counters stay exact under concurrency: the day row equals the sums over the trials', async () => {
    const domain = await newDomain();
    const confidences = Array.from({ length: 120 }, (_, i) => `0.${String((i * 7919) % 1000).padStart(3, '0')}${i % 7}`);
    await Promise.all(confidences.map((c, i) => trials.record(engine, { domain, success: i % 4 !== 0, confidence: c })));
    const [day] = await t.sql(`SELECT trials::int, successes::int, confidence_sum::text AS sum FROM heimdall_scorecard_day WHERE domain = $1`, [domain]);
    const [sums] = await t.sql(
      `SELECT count(*)::int AS trials, (count(*) FILTER (WHERE success))::int AS successes, sum(confidence)::text AS sum FROM heimdall_trial WHERE domain = $1`,
      [domain],
    );
    expect({ trials: day.trials, successes: day.successes }).toEqual({ trials: 120, successes: 90 });
    expect(sums).toMatchObject({ trials: 120, successes: 90 });
    const expected = confidences.reduce((a, c) => a.plus(c), new Decimal(0));
    expect(new Decimal(day.sum).eq(expected)).toBe(true);
    expect(new Decimal(sums.sum).eq(expected)).toBe(true);
  });

  it('a replayed key counts once, a different body under it is 409 and writes nothing', async () => {
    const domain = await newDomain();
    const key = `svc-${domain}`;
    const first = await trials.record(engine, { domain, success: true, confidence: 0.9, correlation_id: key });
    const results = await Promise.all(Array.from({ length: 10 }, () => trials.record(engine, { domain, success: true, confidence: '0.90', correlation_id: key })));
    expect(results.every((r) => r.id === first.id)).toBe(true);
    await expect(trials.record(engine, { domain, success: false, confidence: 0.9, correlation_id: key })).rejects.toMatchObject({ code: 'idempotency_conflict', status: 409 });
    expect((await scorecard.today(domain)).domains[0]).toMatchObject({ trials: 1, successes: 1 });
  });

  it('the scorecard window crosses midnight UTC: a 2-day window keeps yesterday, a 1-day window starts empty', async () => {
    const daily = await newDomain();
    const twoDay = await newDomain({ window_days: 2 });
    t.clock.set('2031-06-10T23:59:59.999Z');
    for (const d of [daily, twoDay]) {
      await trials.record(engine, { domain: d, success: true, confidence: '0.85' });
      await trials.record(engine, { domain: d, success: false, confidence: '0.95' });
    }
    t.clock.set('2031-06-11T00:00:00.000Z');
    for (const d of [daily, twoDay]) await trials.record(engine, { domain: d, success: true, confidence: '0.9' });

    const card = await scorecard.today();
    expect(card.day).toBe('2031-06-11');
    const byDomain = Object.fromEntries(card.domains.map((d) => [d.domain, d]));
    expect(byDomain[daily]).toMatchObject({ window_from: '2031-06-11', window_to: '2031-06-11', trials: 1, successes: 1, confidence_sum: '0.9', today: { trials: 1, successes: 1 } });
    expect(byDomain[twoDay]).toMatchObject({ window_from: '2031-06-10', window_to: '2031-06-11', trials: 3, successes: 2, confidence_sum: '2.7', avg_confidence: 0.9 });
    expect(byDomain[twoDay].today).toEqual({ trials: 1, successes: 1 });
    const rows = await t.sql(`SELECT to_char(day, 'YYYY-MM-DD') AS day, trials::int FROM heimdall_scorecard_day WHERE domain = $1 ORDER BY day`, [twoDay]);
    expect(rows).toEqual([
      { day: '2031-06-10', trials: 2 },
      { day: '2031-06-11', trials: 1 },
    ]);
  });

  it('gate distances: trials to record, successes in a row, confidence short', async () => {
    const domain = await newDomain({ min_trials: 10, min_success_rate: '0.8', min_confidence: '0.9' });
    for (let i = 0; i < 6; i++) await trials.record(engine, { domain, success: i < 4, confidence: '0.85' });
    const card = (await scorecard.today(domain)).domains[0];
    const byGate = Object.fromEntries(card.gates.map((g) => [g.gate, g]));
    expect(byGate.min_sandbox_trials).toMatchObject({ passed: false, actual: 6, required: 10, shortfall: 4 });
    // 4 of 6 -> 0.8 needs n with (4 + n) / (6 + n) >= 0.8: n = 4.
    expect(byGate.min_sandbox_success_rate).toMatchObject({ passed: false, shortfall: 4 });
    expect(byGate.min_confidence).toMatchObject({ passed: false, required: 0.9 });
    expect(byGate.prod_use_enabled).toMatchObject({ passed: true, shortfall: 0 });
    expect(card.reason_codes).toEqual(['confidence_below_threshold', 'insufficient_sandbox_trials', 'sandbox_success_rate_below_threshold']);
  });

  it('require-prod-eligible in process: the kill switch outranks every failing gate, and each check is recorded', async () => {
    const domain = await newDomain();
    const rec = await heimdall.recommend(engine, { domain, confidence: 0.5 });
    await expect(heimdall.requireProdEligible(rec.id)).rejects.toMatchObject({ code: 'heimdall_gate_failed', status: 403 });
    const goLive = await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'svc test' });
    expect(goLive.status).toBe(200);
    try {
      const err = (await heimdall.requireProdEligible(rec.id, SYSTEM_PRINCIPAL).catch((e: unknown) => e)) as WardenError;
      expect(err).toBeInstanceOf(WardenError);
      expect(err).toMatchObject({ code: 'kill_switch_engaged', status: 403 });
      expect(err.extra.reasonCodes).toEqual(['kill_switch_engaged', 'confidence_below_threshold', 'insufficient_sandbox_trials', 'sandbox_success_rate_below_threshold']);
    } finally {
      await t.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'svc test done' });
    }
    const checks = await t.sql(`SELECT outcome FROM heimdall_event WHERE recommendation_id = $1 AND kind = 'recommendation.checked' ORDER BY id`, [rec.id]);
    // The recorded outcome is the first failing gate in gate order; only the error code puts the kill switch first.
    expect(checks.map((c) => c.outcome)).toEqual(['confidence_below_threshold', 'confidence_below_threshold']);
  });

  it('closes a day once per domain, whatever the retries', async () => {
    const domain = await newDomain();
    await trials.record(engine, { domain, success: true, confidence: 0.9 });
    const ds = t.app.get((await import('typeorm')).DataSource);
    const first = await ds.transaction((m) => scorecard.closeDay(m, '2031-06-10'));
    const again = await ds.transaction((m) => scorecard.closeDay(m, '2031-06-10'));
    expect(first.closed).toBe(first.domains);
    expect(again.closed).toBe(0);
    const closed = await scorecard.closedDays(domain);
    expect(closed).toEqual([expect.objectContaining({ day: '2031-06-10', domain, outcome: 'insufficient_sandbox_trials' })]);
    expect(closed[0].details).toMatchObject({ day_counts: { trials: 1, successes: 1 }, window: { from: '2031-06-10', to: '2031-06-10', trials: 1 } });
  });

  it('a new policy missing thresholds is policy_incomplete and writes nothing', async () => {
    const domain = freshDomain('SVC');
    const err = (await policies.upsert(operator, { domain, min_trials: 3 }).catch((e: unknown) => e)) as WardenError;
    expect(err).toMatchObject({ code: 'policy_incomplete', status: 400 });
    expect((err.extra.details as any).fields.map((f: any) => f.field)).toEqual(['min_confidence', 'min_success_rate']);
    expect(await t.sql(`SELECT 1 FROM heimdall_policy WHERE domain = $1`, [domain])).toEqual([]);
  });
});
