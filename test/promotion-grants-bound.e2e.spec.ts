import { ApprovalsService } from '#approvals';
import { JobRunner, ManualClock, SYSTEM_PRINCIPAL } from '#platform';
import { PROMOTION_FRIDAY_JOB, PromotionReviewService } from '#promotion/server';
import { DataSource } from 'typeorm';
import { HEIMDALL, HeimdallFactory } from './support/factories/heimdall.js';
import { until } from './support/receiver.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 17 A.2/A.3 for the Friday promotion, written as the attacks: a request acts only when the
 * promotion lever filed it for the Friday decision it carries out, for that decision's domain and
 * verdict, and only while that decision is the domain's latest (real HTTP, real PostgreSQL).
 */
const APPROVALS = '/api/governance/approvals';
/** Fridays: each 08:00 UTC review covers the seven days before it. */
const FRIDAY_1 = '2031-03-14T08:00:00Z';
const FRIDAY_2 = '2031-03-21T08:00:00Z';
const BARS = { min_confidence: 0.8, min_trials: 1, min_success_rate: 0.75, prod_use_enabled: false };

let t: TestApp;
let h: HeimdallFactory;
let strong: string;
let weak: string;
let victim: string;
let operator2: string;

const prodUse = async (domain: string) =>
  ((await t.http('GET', `${HEIMDALL}/policies`, undefined, { token: h.tokens.viewer })).body as Array<{ domain: string; prod_use_enabled: boolean }>).find((p) => p.domain === domain)!.prod_use_enabled;
const requestsFor = async (domain: string) =>
  (await t.sql(`SELECT id, status, act, bound_version, payload, consumed_at FROM approval_request WHERE kind = 'heimdall_promotion' AND subject = $1 ORDER BY seq`, [`heimdall:${domain}`])) as Array<{
    id: string;
    status: string;
    act: string | null;
    bound_version: string | null;
    payload: { domain: string; verdict: string; week: string; decision_id: string };
    consumed_at: Date | null;
  }>;
const handled = (id: string) => until(async () => (await t.sql(`SELECT handled_at IS NOT NULL AS h FROM approval_decided_event WHERE approval_id = $1`, [id]))[0]?.h === true);
const applied = async (id: string) => (await t.sql(`SELECT action FROM audit_log WHERE action LIKE 'promotion.apply%' AND details->>'approval_id' = $1`, [id])).map((r) => r.action);

beforeAll(async () => {
  t = await startTestApp({ clock: new ManualClock('2031-03-10T10:00:00Z') });
  h = await HeimdallFactory.create(t);
  operator2 = await t.token('operator');
  strong = await h.policy(BARS, 'STRONG');
  weak = await h.policy(BARS, 'WEAK');
  victim = await h.policy(BARS, 'VICTIM');
  for (const day of ['2031-03-10T10:00:00Z', '2031-03-11T10:00:00Z']) {
    t.clock.set(day);
    await h.trials(strong, 4, 4, 0.9);
    await h.trials(weak, 4, 1, 0.5);
  }
  t.clock.set(FRIDAY_1);
  expect((await t.app.get(JobRunner).runJob(PROMOTION_FRIDAY_JOB)).map((o) => o.status)).toEqual(['succeeded']);
});
afterAll(() => t?.close());

describe('promotion requests bound to their Friday decision', () => {
  it('the forged promotion: an engine token files heimdall_promotion for another domain, an operator approves, nothing changes', async () => {
    const forged = await t.http(
      'POST',
      APPROVALS,
      { kind: 'heimdall_promotion', subject: `heimdall:${victim}`, payload: { domain: victim, verdict: 'promote', week: '2031-03-14', decision_id: '1' }, reason: 'promote me' },
      { token: h.tokens.engine },
    );
    expect(forged.status).toBe(202);
    expect((await t.http('POST', `${APPROVALS}/${forged.body.approval_id}/approve`, {}, { token: h.tokens.operator })).status).toBe(200);
    await handled(forged.body.approval_id);
    expect(await prodUse(victim)).toBe(false);
    expect(await applied(forged.body.approval_id)).toEqual([]);
    const [row] = await requestsFor(victim);
    expect(row).toMatchObject({ act: null, bound_version: null, consumed_at: null });
  });

  it('a promotion for a domain with no Heimdall policy, or with no Friday decision yet, is refused at filing (409 act_not_applicable), nothing filed', async () => {
    const approvals = t.app.get(ApprovalsService);
    const fresh = await h.policy(BARS, 'FRESH');
    const before = (await t.sql(`SELECT count(*)::int AS n FROM approval_request WHERE act = 'heimdall_promotion'`))[0].n;
    for (const domain of ['NO_SUCH_DOMAIN', fresh]) {
      const filing = approvals.requestAct(SYSTEM_PRINCIPAL, 'heimdall_promotion', {
        subject: `heimdall:${domain}`,
        payload: { domain, verdict: 'promote', week: '2031-03-14', decision_id: '1' },
        reason: 'promote',
      });
      await expect(filing).rejects.toMatchObject({ status: 409, code: 'act_not_applicable' });
    }
    expect((await t.sql(`SELECT count(*)::int AS n FROM approval_request WHERE act = 'heimdall_promotion'`))[0].n).toBe(before);
  });

  it("a request whose payload misstates its decision (promote for a no_go) carries out nothing, and is not retried", async () => {
    const [real] = await requestsFor(weak);
    expect(real.payload.verdict).toBe('no_go');
    const misstated = await t.app.get(ApprovalsService).requestAct(SYSTEM_PRINCIPAL, 'heimdall_promotion', {
      subject: `heimdall:${weak}`,
      payload: { ...real.payload, verdict: 'promote' },
      reason: 'promote the weak one',
    });
    expect((await requestsFor(weak)).find((r) => r.id === misstated.approval_id)).toMatchObject({ bound_version: real.payload.decision_id });
    expect((await t.http('POST', `${APPROVALS}/${misstated.approval_id}/approve`, {}, { token: operator2 })).status).toBe(200);
    await handled(misstated.approval_id);
    expect(await prodUse(weak)).toBe(false);
    expect(await applied(misstated.approval_id)).toEqual(['promotion.apply_refused']);
    const [event] = await t.sql(`SELECT attempts, last_error FROM approval_decided_event WHERE approval_id = $1`, [misstated.approval_id]);
    expect(event).toEqual({ attempts: 1, last_error: null });
  });

  it("next week's review voids last week's open request: approving it later promotes nothing; the current one does", async () => {
    const [week1] = await requestsFor(strong);
    expect(week1).toMatchObject({ status: 'pending', act: 'heimdall_promotion', bound_version: week1.payload.decision_id });
    // Every day of the next week, so its forecast is steady and the promote stands (the foresight gate).
    for (const day of ['14', '15', '16', '17', '18', '19', '20']) {
      t.clock.set(`2031-03-${day}T10:00:00Z`);
      await h.trials(strong, 4, 4, 0.9);
    }
    // The next review, while last week's request is still open (it expires a week after it was filed).
    t.clock.set('2031-03-21T07:00:00Z');
    expect((await t.app.get(DataSource).transaction((m) => t.app.get(PromotionReviewService).reviewWeek(m, new Date(FRIDAY_2)))).filed).toBeGreaterThanOrEqual(1);
    const [old, current] = await requestsFor(strong);
    expect(old).toMatchObject({ id: week1.id, status: 'cancelled', consumed_at: null });
    expect(current).toMatchObject({ status: 'pending', payload: { verdict: 'promote', week: '2031-03-21' } });
    expect(current.bound_version).toBe(current.payload.decision_id);
    const [voided] = await t.sql(`SELECT principal, details FROM audit_log WHERE action = 'approval.void' AND subject = $1`, [`approval:${week1.id}`]);
    expect(voided).toMatchObject({ principal: 'system', details: { bound_version: week1.payload.decision_id, current_version: current.payload.decision_id } });

    const late = await t.http('POST', `${APPROVALS}/${week1.id}/approve`, {}, { token: operator2 });
    expect([late.status, late.body.error]).toEqual([409, 'approval_not_pending']);
    expect(await prodUse(strong)).toBe(false);

    expect((await t.http('POST', `${APPROVALS}/${current.id}/approve`, {}, { token: operator2 })).status).toBe(200);
    await until(() => prodUse(strong));
    expect(await applied(current.id)).toEqual(['promotion.apply']);
  });
});
