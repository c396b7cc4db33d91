import { JobRunner, ManualClock } from '#platform';
import { PROMOTION_FRIDAY_JOB, PromotionReviewSectionService } from '#promotion/server';
import { HEIMDALL, HeimdallFactory } from './support/factories/heimdall.js';
import { PROMOTION } from './support/factories/promotion.js';
import { startTestApp } from './support/test-app.js';

const APPROVALS = '/api/governance/approvals';
/** 2031-03-14 is a Friday: its 08:00 UTC review covers 2031-03-07..2031-03-13. */
const FRIDAY = '2031-03-14T08:00:00Z';
const WEEK = ['07', '08', '09', '10', '11', '12', '13'];
const BARS = { min_confidence: 0.8, min_trials: 1, min_success_rate: 0.75, prod_use_enabled: false };
/** Successes of 20 trials, day by day: steady at 95%, and falling from 100% to 80% (above the 75% bar all week). */
const STEADY = [19, 19, 19, 19, 19, 19, 19];
const FALLING = [20, 20, 19, 18, 17, 17, 16];

async function eventually<T>(probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const v = await probe();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  return probe();
}

/** A fresh app whose week holds one steady and one falling domain, reviewed by the Friday job. */
async function reviewedWeek(env: Record<string, string> = {}) {
  const t = await startTestApp({ clock: new ManualClock('2031-03-07T10:00:00Z'), env });
  const h = await HeimdallFactory.create(t);
  const steady = await h.policy(BARS, 'STEADY');
  const falling = await h.policy(BARS, 'FALLING');
  // Minted before the review files its requests: a token made after a request cannot decide it.
  const approver = await t.token('operator');
  for (const [i, day] of WEEK.entries()) {
    t.clock.set(`2031-03-${day}T10:00:00Z`);
    await h.trials(steady, 20, STEADY[i]!, 0.9);
    await h.trials(falling, 20, FALLING[i]!, 0.9);
  }
  t.clock.set(FRIDAY);
  expect((await t.app.get(JobRunner).runJob(PROMOTION_FRIDAY_JOB)).map((o) => o.status)).toEqual(['succeeded']);
  const decision = async (domain: string) => (await t.http('GET', `${PROMOTION}/decisions?domain=${domain}`, undefined, { token: h.tokens.viewer })).body.items[0];
  const request = async (domain: string) => (await t.http('GET', `${APPROVALS}?kind=heimdall_promotion&subject=heimdall:${domain}`, undefined, { token: h.tokens.operator })).body.items[0];
  const prodUse = async (domain: string) =>
    ((await t.http('GET', `${HEIMDALL}/policies`, undefined, { token: h.tokens.viewer })).body as Array<{ domain: string; prod_use_enabled: boolean }>).find((p) => p.domain === domain)!.prod_use_enabled;
  return { t, h, steady, falling, approver, decision, request, prodUse };
}

describe('the foresight gate on the Friday review (menace foresight_gate)', () => {
  let w: Awaited<ReturnType<typeof reviewedWeek>>;
  beforeAll(async () => {
    w = await reviewedWeek();
  });
  afterAll(() => w?.t.close());

  it('a falling week that the rules promote becomes borderline, with menace reason codes, the trace step and the forecast in the log', async () => {
    const d = await w.decision(w.falling);
    expect(d.verdict).toBe('borderline');
    expect(d.reason_codes).toEqual(expect.arrayContaining(['projected_roi_below_threshold', 'roi_collapse_risk']));
    expect(d.trace.at(-1)).toMatchObject({ step: 'foresight', safe: false, result: 'borderline' });
    // menace's decision_log.jsonl record: timestamp (whole seconds), workflow_id, forecast{projections, confidence, upgrade_id}, decision, reason_codes.
    expect(d.forecast).toMatchObject({
      timestamp: Date.parse(FRIDAY) / 1000,
      workflow_id: w.falling,
      decision: 'borderline',
      reason_codes: ['projected_roi_below_threshold', 'roi_collapse_risk'],
      forecast: { confidence: 0.9, upgrade_id: `promotion:${w.falling}:2031-03-14` },
      trend: { method: 'least_squares_daily_margin', observed_days: 7 },
      thresholds: { roi_threshold: 0, confidence_threshold: 0.6, horizon: 5 },
    });
    expect(d.forecast.forecast.projections).toHaveLength(5);
    expect(Object.keys(d.forecast.forecast.projections[0]).sort()).toEqual(['confidence', 'cycle', 'decay', 'risk', 'roi']);
    expect(d.forecast.trend.slope).toBeLessThan(0);
    expect(d.forecast.forecast.projections.at(-1).roi).toBeLessThan(0);
  });

  it('a steady week stays promote, its forecast recorded as safe', async () => {
    const d = await w.decision(w.steady);
    expect(d).toMatchObject({ verdict: 'promote', forecast: { decision: 'promote', reason_codes: [], collapse: { risk: 'Stable' } } });
    expect(d.trace.at(-1)).toMatchObject({ step: 'foresight', safe: true, result: 'promote' });
  });

  it('the JSONL export carries the forecast', async () => {
    const res = await fetch(`${w.t.url}${PROMOTION}/decisions.jsonl?domain=${w.falling}`, { headers: { authorization: `Bearer ${w.h.tokens.viewer}` } });
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].forecast).toMatchObject({ workflow_id: w.falling, decision: 'borderline' });
  });

  it('a borderline review is filed; another operator approving it accepts the risk and enables prod use, audited', async () => {
    const r = await w.request(w.falling);
    expect(r).toMatchObject({ status: 'pending', payload: { verdict: 'borderline', week: '2031-03-14' } });
    const approved = await w.t.http('POST', `${APPROVALS}/${r.id}/approve`, {}, { token: w.approver });
    expect(approved.status).toBe(200);
    expect(await eventually(() => w.prodUse(w.falling), (v) => v)).toBe(true);
    const [audit] = await w.t.sql(`SELECT details FROM audit_log WHERE action = 'promotion.apply' AND subject = $1`, [`heimdall:${w.falling}`]);
    expect(audit.details).toMatchObject({ verdict: 'borderline', prod_use_enabled: true });
  });

  it('the review section shows each promote\'s projection, and a borderline domain needs attention', async () => {
    const section = await w.t.app.get(PromotionReviewSectionService).weekSection(new Date('2031-03-14T00:00:00Z'), new Date('2031-03-15T00:00:00Z'));
    const falling = section.forecasts!.find((f) => f.domain === w.falling)!;
    expect(falling).toMatchObject({ verdict: 'borderline', week: '2031-03-14', confidence: 0.9, reason_codes: ['projected_roi_below_threshold', 'roi_collapse_risk'] });
    expect(falling.projected_roi).toHaveLength(5);
    expect(section.by_verdict).toEqual(expect.arrayContaining([{ verdict: 'borderline', count: 1 }]));
  });
});

describe('with no borderline review configured (WARDEN_PROMOTION_BORDERLINE_REVIEW=false)', () => {
  let w: Awaited<ReturnType<typeof reviewedWeek>>;
  beforeAll(async () => {
    w = await reviewedWeek({ WARDEN_PROMOTION_BORDERLINE_REVIEW: 'false' });
  });
  afterAll(() => w?.t.close());

  it('the failed forecast makes the promote a pilot, as menace does; approving a pilot changes nothing', async () => {
    const d = await w.decision(w.falling);
    expect(d).toMatchObject({ verdict: 'pilot', forecast: { decision: 'pilot' } });
    expect((await w.decision(w.steady)).verdict).toBe('promote');
    const r = await w.request(w.falling);
    expect(r.payload.verdict).toBe('pilot');
    expect((await w.t.http('POST', `${APPROVALS}/${r.id}/approve`, {}, { token: w.approver })).status).toBe(200);
    const applied = await eventually(
      async () => w.t.sql(`SELECT details FROM audit_log WHERE action = 'promotion.apply' AND subject = $1`, [`heimdall:${w.falling}`]),
      (rows) => rows.length > 0,
    );
    expect(applied[0].details).toMatchObject({ verdict: 'pilot', prod_use_enabled: 'unchanged' });
    expect(await w.prodUse(w.falling)).toBe(false);
  });
});
