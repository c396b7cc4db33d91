import { JobRunner, ManualClock } from '#platform';
import { PROMOTION_FRIDAY_JOB, PromotionReviewService } from '#promotion/server';
import { DataSource } from 'typeorm';
import { HEIMDALL, HeimdallFactory } from './support/factories/heimdall.js';
import { PROMOTION } from './support/factories/promotion.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const APPROVALS = '/api/governance/approvals';
/** 2031-03-14 is a Friday: its 08:00 UTC review covers 2031-03-07..2031-03-13. */
const FRIDAY = '2031-03-14T08:00:00Z';

let t: TestApp;
let h: HeimdallFactory;
let strong: string;
let weak: string;
let secondOperator: string;

/** Waits (bounded) for an effect that the approvals' decided-event queue delivers after commit. */
async function eventually<T>(probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const v = await probe();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  return probe();
}

const policyOf = async (domain: string) =>
  ((await t.http('GET', `${HEIMDALL}/policies`, undefined, { token: h.tokens.viewer })).body as Array<{ domain: string; prod_use_enabled: boolean }>).find((p) => p.domain === domain)!;

const requestsFor = async (domain: string) =>
  (await t.http('GET', `${APPROVALS}?kind=heimdall_promotion&subject=heimdall:${domain}`, undefined, { token: h.tokens.operator })).body.items as Array<{
    id: string;
    payload: { domain: string; verdict: string; week: string; decision_id: string };
    status: string;
    requested_by: string;
  }>;

beforeAll(async () => {
  t = await startTestApp({ clock: new ManualClock('2031-03-10T10:00:00Z') });
  h = await HeimdallFactory.create(t);
  secondOperator = await t.token('operator');
  const bars = { min_confidence: 0.8, min_trials: 1, min_success_rate: 0.75, prod_use_enabled: false };
  strong = await h.policy(bars, 'STRONG');
  weak = await h.policy(bars, 'WEAK');
  // The strong domain every day of the reviewed week (so the foresight gate sees a steady week and
  // the promote stands: test/promotion-foresight.e2e.spec.ts covers the gate), the weak one on Monday
  // and Tuesday: 4 trials a day each.
  for (const day of ['07', '08', '09', '10', '11', '12', '13']) {
    t.clock.set(`2031-03-${day}T10:00:00Z`);
    await h.trials(strong, 4, 4, 0.9);
    if (day === '10' || day === '11') await h.trials(weak, 4, 1, 0.5);
  }
  t.clock.set(FRIDAY);
});
afterAll(async () => {
  await t?.close();
});

describe('the Friday promotion review', () => {
  it('files a promote request for a strong domain and no_go for a weak one, each from the week\'s trials', async () => {
    const outcomes = await t.app.get(JobRunner).runJob(PROMOTION_FRIDAY_JOB);
    expect(outcomes.map((o) => o.status)).toEqual(['succeeded']);
    const [s] = await requestsFor(strong);
    expect(s).toMatchObject({ status: 'pending', requested_by: 'system', payload: { domain: strong, verdict: 'promote', week: '2031-03-14' } });
    const [w] = await requestsFor(weak);
    expect(w.payload).toMatchObject({ domain: weak, verdict: 'no_go', week: '2031-03-14' });

    const decisions = await t.http('GET', `${PROMOTION}/decisions?domain=${strong}`, undefined, { token: h.tokens.viewer });
    expect(decisions.body.items).toHaveLength(1);
    expect(decisions.body.items[0]).toMatchObject({
      id: s.payload.decision_id,
      source: 'friday',
      week: '2031-03-14',
      verdict: 'promote',
      scorecard: {
        alignment_status: 'pass',
        trials: 28,
        successes: 28,
        confidence: 0.9,
        sandbox_roi: 1,
        scenario_scores: { '2031-03-07': 1, '2031-03-08': 1, '2031-03-09': 1, '2031-03-10': 1, '2031-03-11': 1, '2031-03-12': 1, '2031-03-13': 1 },
      },
      forecast: { workflow_id: strong, decision: 'promote', reason_codes: [], forecast: { confidence: 0.9 } },
    });
    const weakDecision = (await t.http('GET', `${PROMOTION}/decisions?domain=${weak}`, undefined, { token: h.tokens.viewer })).body.items[0];
    expect(weakDecision).toMatchObject({ verdict: 'no_go', reason_codes: ['raroi_below_threshold'], scorecard: { sandbox_roi: 0.25, confidence: 0.5 } });
  });

  it('a second run for the same week files nothing new (job_run, and the unique decision per domain and week)', async () => {
    expect(await t.app.get(JobRunner).runJob(PROMOTION_FRIDAY_JOB)).toEqual([]);
    const again = await t.app.get(DataSource).transaction((m) => t.app.get(PromotionReviewService).reviewWeek(m, new Date(FRIDAY)));
    expect(again.filed).toBe(0);
    expect(await requestsFor(strong)).toHaveLength(1);
    expect((await t.sql(`SELECT count(*)::int AS n FROM promotion_decision WHERE domain = $1`, [strong]))[0].n).toBe(1);
  });

  it('approving the promote (another operator) enables prod use through Heimdall, audited, once', async () => {
    const [req] = await requestsFor(strong);
    expect((await policyOf(strong)).prod_use_enabled).toBe(false);
    const approved = await t.http('POST', `${APPROVALS}/${req.id}/approve`, { reason: 'looks good' }, { token: secondOperator });
    expect(approved.status).toBe(200);
    const policy = await eventually(() => policyOf(strong), (p) => p.prod_use_enabled);
    expect(policy.prod_use_enabled).toBe(true);
    const consumed = await eventually(
      async () => (await t.http('GET', `${APPROVALS}/${req.id}`, undefined, { token: h.tokens.operator })).body,
      (a) => a.consumed_at !== null,
    );
    expect(consumed.consumed_at).not.toBeNull();
    const audits = await t.sql(`SELECT action, details FROM audit_log WHERE subject IN ($1, $2) ORDER BY id`, [`heimdall:${strong}`, `heimdall_policy:${strong}`]);
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['promotion.apply']));
    expect(audits.find((a) => a.action === 'promotion.apply')!.details).toMatchObject({ verdict: 'promote', prod_use_enabled: true, approval_id: req.id });
    expect((await t.sql(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'heimdall.policy.update' AND details->'after'->>'domain' = $1 AND (details->'after'->>'prod_use_enabled')::boolean`, [strong]))[0].n).toBe(1);
  });

  it('approving a no_go changes nothing (it is reported and the grant is consumed)', async () => {
    const [req] = await requestsFor(weak);
    expect((await t.http('POST', `${APPROVALS}/${req.id}/approve`, {}, { token: secondOperator })).status).toBe(200);
    const applied = await eventually(
      () => t.sql(`SELECT details FROM audit_log WHERE action = 'promotion.apply' AND subject = $1`, [`heimdall:${weak}`]),
      (rows) => rows.length > 0,
    );
    expect(applied[0].details).toMatchObject({ verdict: 'no_go', prod_use_enabled: 'unchanged' });
    expect((await policyOf(weak)).prod_use_enabled).toBe(false);
  });
});
