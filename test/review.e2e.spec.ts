import { JobRunner } from '#platform';
import { REVIEW_WEEKLY_JOB, isoWeekOf, type IsoWeek } from '#review';
import { RiskLedgerService } from '../libs/risk-guard/src/risk-ledger.service.js';
import { DataSource } from 'typeorm';
import { HeimdallFactory } from './support/factories/heimdall.js';
import { DAY, HOUR, reviewApi, saveReviewPage, section } from './support/factories/review.js';
import { RISK, reserveRisk, riskScenario } from './support/factories/risk.js';
import { tripwireApi, tripwireTokens, successes } from './support/factories/tripwire.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const APPROVALS = '/api/governance/approvals';
const GO_LIVE = '/api/governance/go-live';
/** Notifications on (nothing listens there: the rows stay in the outbox, which is what we read). */
const ENV = { WARDEN_WEBHOOK_URLS: 'http://127.0.0.1:9/review-hook' };
/** Expects a 2xx answer and returns it. */
async function ok<T extends { status: number; body: any }>(res: Promise<T>): Promise<T> {
  const r = await res;
  if (r.status < 200 || r.status > 299) throw new Error(`expected 2xx, got ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

/**
 * A week built with the ManualClock: the week holding the real now, because the audit trail (the
 * control plane's history) is stamped by the database clock, while the levers' events take the
 * ManualClock's time.
 */
describe('weekly review (real HTTP, real database)', () => {
  let t: TestApp;
  let b: TestApp | undefined;
  let week: IsoWeek;
  let operator: string;
  let viewer: string;
  const at = (days: number, hours = 10, seconds = 0) => new Date(week.from.getTime() + days * DAY + hours * HOUR + seconds * 1000);
  const facts: Record<string, any> = {};

  beforeAll(async () => {
    t = await startTestApp({ env: ENV });
    week = isoWeekOf(new Date());
    [operator, viewer] = await Promise.all([t.token('operator'), t.token('viewer')]);

    // Control plane: the kill switch engaged and released, with who and why (stamped now, inside the week).
    expect((await t.http('POST', `${GO_LIVE}/kill-switch/engage`, { actor: 'alice', reason: 'drill' }, { token: operator })).status).toBe(200);
    expect((await t.http('POST', `${GO_LIVE}/kill-switch/release`, { actor: 'alice', reason: 'drill over' }, { token: operator })).status).toBe(200);

    // Risk, Monday: 30 settled with a loss of 20, 80 denied by the exposure cap, 10 left to expire, 5 voided.
    const { engines, tokens } = await riskScenario(t, operator, { boundTokens: true });
    const [engine] = engines;
    const eng = tokens[0];
    facts.engine = engine;
    t.clock.set(at(0));
    const r1 = await ok(reserveRisk(t, eng, { engine, amount: 30, correlation_id: 'r1' }));
    await ok(t.http('POST', `${RISK}/settle`, { reservation_id: r1.body.reservation_id, realized_loss: 20 }, { token: eng }));
    const denied = await reserveRisk(t, eng, { engine, amount: 80, correlation_id: 'r2' });
    expect(denied.status).toBe(403);
    facts.denialCodes = denied.body.reason_codes;
    await ok(reserveRisk(t, eng, { engine, amount: 10, correlation_id: 'r3' }));
    const r4 = await ok(reserveRisk(t, eng, { engine, amount: 5, correlation_id: 'r4' }));
    await ok(t.http('POST', `${RISK}/void`, { reservation_id: r4.body.reservation_id, reason: 'not needed' }, { token: operator }));
    t.clock.set(at(0, 11));
    // The expiry job's periods may already be done (it ran at start on the real clock): sweep through the service.
    expect(await t.app.get(DataSource).transaction((m) => t.app.get(RiskLedgerService).expireDue(m))).toBe(1);
    // Tuesday: a loss of 45 against the cap of 50 (90%: needs attention).
    t.clock.set(at(1));
    const r5 = await ok(reserveRisk(t, eng, { engine, amount: 45, correlation_id: 'r5' }));
    await ok(t.http('POST', `${RISK}/settle`, { reservation_id: r5.body.reservation_id, realized_loss: 45 }, { token: eng }));

    // Tripwire, Wednesday: a success rate falling from 0.9 to 0.3 fires the ALERT tripwire.
    t.clock.set(at(2));
    const trip = tripwireApi(t, await tripwireTokens(t));
    const stream = await trip.policy();
    facts.stream = stream;
    await trip.feed(successes(stream.domain, stream.metric, 40, 0.9));
    await trip.feed(successes(stream.domain, stream.metric, 20, 0.3));
    const evaluated = await trip.evaluate(stream.domain, stream.metric);
    expect(evaluated.body.status).toBe('triggered');

    // Heimdall, Thursday: 4 trials, 3 successes; one eligible recommendation, one below the confidence gate.
    t.clock.set(at(3));
    const h = await HeimdallFactory.create(t);
    const domain = await h.policy();
    facts.domain = domain;
    await h.trials(domain, 4, 3);
    expect((await h.recommend(domain, 0.9)).body.prod_eligible).toBe(true);
    expect((await h.recommend(domain, 0.5)).body.prod_eligible).toBe(false);

    // Approvals, Friday: approved after 60 s, rejected after 180 s, one expired; Sunday: one still pending at generation, expiring within 24 h.
    t.clock.set(at(4));
    const engineToken = await t.token('engine');
    const file = async (subject: string, timeout_seconds = 3600) => {
      const res = await ok(t.http('POST', APPROVALS, { kind: 'manual', subject, reason: 'review test', risk_level: 'low', timeout_seconds }, { token: engineToken }));
      return res.body.approval_id as string;
    };
    const [a1, a2] = [await file('a1'), await file('a2')];
    await file('a3', 30);
    t.clock.set(at(4, 10, 60));
    await ok(t.http('POST', `${APPROVALS}/${a1}/approve`, { reason: 'ok' }, { token: operator }));
    t.clock.set(at(4, 10, 180));
    await ok(t.http('POST', `${APPROVALS}/${a2}/reject`, { reason: 'no' }, { token: operator }));
    t.clock.set(at(6, 12));
    await file('a4', 36 * 3600);

    // The Monday after, 09:00: the week is over.
    t.clock.set(new Date(week.to.getTime() + 9 * HOUR));
  });

  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it('generates the week on demand with exactly the figures of the week', async () => {
    const res = await reviewApi(t).generate(week.week, operator);
    expect(res.status).toBe(201);
    const report = res.body.report;
    facts.first = res.body;
    expect(report).toMatchObject({ week: week.week, from: week.from.toISOString(), to: week.to.toISOString() });

    const cp = section(report, 'go_live');
    expect(cp.state_now).toMatchObject({ kill_switch_engaged: false });
    expect(cp.changes.map((c: any) => [c.action, c.actor, c.reason])).toEqual([
      ['kill_switch.engage', 'alice', 'drill'],
      ['kill_switch.release', 'alice', 'drill over'],
    ]);

    const risk = section(report, 'risk');
    const e = facts.engine;
    expect(risk.denials.filter((d: any) => d.engine === e)).toEqual(facts.denialCodes.map((code: string) => ({ engine: e, reason_code: code, count: 1 })));
    expect(facts.denialCodes).toContain('engine_exposure_cap');
    expect(risk.expired_or_voided.filter((x: any) => x.engine === e)).toEqual([
      { engine: e, kind: 'expire', count: 1, amount: '10' },
      { engine: e, kind: 'void', count: 1, amount: '5' },
    ]);
    const days = risk.daily.filter((d: any) => d.engine === e).map((d: any) => [d.day, d.realized_loss, d.loss_ratio, d.denials, d.actions]);
    expect(days).toEqual([
      [at(0).toISOString().slice(0, 10), '20', '0.4000', 1, 3],
      [at(1).toISOString().slice(0, 10), '45', '0.9000', 0, 1],
    ]);
    expect(risk.peaks.find((p: any) => p.engine === e)).toMatchObject({ max_loss_ratio: '0.9000', max_loss_day: at(1).toISOString().slice(0, 10), realized_loss_week: '65' });

    const trip = section(report, 'regression_tripwire');
    expect(trip.fired).toBe(1);
    expect(trip.actions_taken).toEqual([{ domain: facts.stream.domain, metric: facts.stream.metric, action: 'ALERT', count: 1 }]);
    expect(trip.re_enables).toBe(0);
    expect(trip.current_states).toEqual([expect.objectContaining({ domain: facts.stream.domain, status: 'triggered' })]);

    const heimdall = section(report, 'heimdall');
    expect(heimdall).toMatchObject({ recommendations: 2, eligible: 1, eligibility_rate: '0.5000' });
    expect(heimdall.domains.filter((d: any) => d.domain === facts.domain)).toEqual([
      expect.objectContaining({ domain: facts.domain, trials: 4, successes: 3, success_rate: '0.7500', distance: { trials: 0, success_rate: '0.0000', confidence: '0.1000' } }),
    ]);
    expect(heimdall.scorecards).toEqual([expect.objectContaining({ day: at(3).toISOString().slice(0, 10), trials: 4, successes: 3 })]);

    // The Friday promotion review the app caught up at start filed its approvals inside the week too (real now):
    // counted apart so this week's own figures stay exact.
    const [friday] = await t.sql(
      `SELECT count(*) FILTER (WHERE created_at >= $1 AND created_at < $2)::int AS requested,
              count(*) FILTER (WHERE status = 'pending' AND expires_at > $3)::int AS pending,
              count(*) FILTER (WHERE status = 'pending' AND expires_at > $3 AND expires_at <= $3 + interval '24 hours')::int AS expiring
         FROM approval_request WHERE kind = 'heimdall_promotion'`,
      [week.from, week.to, t.clock.now()],
    );
    expect(section(report, 'approvals')).toEqual({
      requested: 4 + friday.requested,
      decided: 2,
      approved: 1,
      rejected: 1,
      cancelled: 0,
      expired: 1,
      median_seconds_to_decision: 120,
      p95_seconds_to_decision: 174,
      pending_now: 1 + friday.pending,
      expiring_within_24h: 1 + friday.expiring,
    });
    // No gate traffic this week; the promotion verdicts are the Friday review the app caught up at start
    // (test/review-sections.e2e.spec.ts covers both sections' figures).
    expect(section(report, 'gate')).toMatchObject({ decisions: 0, simulated: 0, approvals_filed: 0, top_reason_codes: [] });
    expect(section(report, 'promotion')).toMatchObject({ overrides_used: 0, overrides: [] });
    expect(report.sections.filter((s: any) => s.status !== 'ok')).toEqual([]);

    expect(report.needs_attention.map((i: any) => i.kind)).toEqual(['loss_cap_near', 'tripwire_triggered', 'approvals_expiring']);
    expect(report.needs_attention[0].message).toBe(`${e} reached 90% of its daily loss cap on ${at(1).toISOString().slice(0, 10)}`);
  });

  it('is persisted once and never changes: more events, same report and digest; a second generate is 409; the row refuses updates', async () => {
    t.clock.set(at(2));
    const engineToken = await t.token('engine');
    await t.http('POST', APPROVALS, { kind: 'manual', subject: 'late', reason: 'after the report', risk_level: 'low', timeout_seconds: 60 }, { token: engineToken });
    t.clock.set(new Date(week.to.getTime() + 9 * HOUR));

    const again = await reviewApi(t, viewer).get(week.week);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(facts.first);
    expect((await reviewApi(t).generate(week.week, operator)).status).toBe(409);
    await expect(t.sql(`UPDATE review_report SET digest = 'x'`)).rejects.toThrow(/append-only/);
    expect(await t.sql(`SELECT count(*)::int AS n FROM review_report WHERE week = $1`, [week.week])).toEqual([{ n: 1 }]);
    expect((await reviewApi(t, viewer).latest()).body.week).toBe(week.week);
  });

  it('bad input: malformed week 400, unknown week 404, current or future week 400, a viewer cannot generate', async () => {
    const api = reviewApi(t, viewer);
    for (const bad of ['2026-48', '2026-W54', 'W48', '2025-W53']) {
      const res = await api.get(bad);
      expect([bad, res.status, res.body.error]).toEqual([bad, 400, 'review_week_invalid']);
    }
    const badPage = await api.html('2026-48');
    expect([badPage.status, badPage.body]).toEqual([400, expect.objectContaining({ error: 'review_week_invalid' })]);
    expect((await api.get('2001-W05')).status).toBe(404);
    expect((await api.html('2001-W05')).status).toBe(404);
    const current = isoWeekOf(t.clock.now()).week;
    expect((await reviewApi(t).generate(current, operator)).body.error).toBe('review_week_not_over');
    expect((await reviewApi(t).generate(isoWeekOf(new Date(t.clock.now().getTime() + 30 * DAY)).week, operator)).status).toBe(400);
    expect((await reviewApi(t).generate('2001-W05', viewer)).status).toBe(403);
    expect((await t.http('GET', `/api/governance/reviews/${week.week}`, undefined, { token: null })).status).toBe(401);
  });

  it('the HTML page is self-contained: inline SVG charts, table fallbacks, no external URL', async () => {
    const res = await reviewApi(t, viewer).html(week.week);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = res.body;
    expect((html.match(/<svg[\s>]/g) ?? []).length).toBeGreaterThanOrEqual(4);
    for (const caption of ['Daily utilisation per engine', 'Denials by reason', 'Tripwire timeline', 'Heimdall success rate']) expect(html).toContain(caption);
    expect(html).toContain('<table>');
    expect(html).toContain('<h2 id="s-attention">Needs attention</h2>');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<(script|link)\b/i);
    expect(html).not.toMatch(/\bsrc\s*=/i);
    // Issue 22: each needs-attention item links to the console page where it is acted on; nothing else is linked.
    const hrefs = [...html.matchAll(/\bhref\s*=\s*"([^"]*)"/gi)].map((m) => m[1]);
    expect(hrefs).toEqual(['/console/risk', '/console/tripwires', '/console/approvals']);
    saveReviewPage(week.week, html);
  });

  it('two instances on one database running the Monday job produce one report per week, and one review.ready notification', async () => {
    b = await startTestApp({ databaseUrl: t.databaseUrl, env: ENV, clock: t.clock });
    const next = isoWeekOf(week.to);
    t.clock.set(new Date(next.to.getTime() + 9 * HOUR));
    // b ran the week just ended at its start (its clock was already past that Monday 08:00); both now run the next Monday.
    const outcomes = (await Promise.all([t.app.get(JobRunner).runJob(REVIEW_WEEKLY_JOB), b.app.get(JobRunner).runJob(REVIEW_WEEKLY_JOB)])).flat();
    expect(outcomes.filter((o) => o.status === 'succeeded')).toHaveLength(1);
    const runs = await t.sql(`SELECT period_at, result FROM job_run WHERE job_name = $1 AND status = 'succeeded' AND period_at > $2 ORDER BY period_at`, [REVIEW_WEEKLY_JOB, week.to]);
    expect(runs.map((r) => [r.period_at.toISOString(), r.result])).toEqual([
      [new Date(week.to.getTime() + 8 * HOUR).toISOString(), { week: week.week, written: false }],
      [new Date(next.to.getTime() + 8 * HOUR).toISOString(), { week: next.week, written: true }],
    ]);
    expect(await t.sql(`SELECT week, generated_by FROM review_report WHERE week IN ($1, $2) ORDER BY week`, [week.week, next.week])).toEqual([
      { week: week.week, generated_by: expect.stringMatching(/operator/) },
      { week: next.week, generated_by: 'job' },
    ]);
    const notes = await t.sql(`SELECT subject, text FROM notification_outbox WHERE topic = 'review.ready' AND subject IN ($1, $2)`, [`review:${week.week}`, `review:${next.week}`]);
    expect(notes).toEqual([{ subject: `review:${next.week}`, text: expect.stringMatching(new RegExp(`^\\*Weekly review ${next.week}\\*`)) }]);
    const list = await reviewApi(t, viewer).list('?limit=1');
    expect(list.body.items.map((i: any) => i.week)).toEqual([next.week]);
    expect(list.body.next_cursor).not.toBeNull();
    const older = await reviewApi(t, viewer).list(`?limit=100&before=${list.body.next_cursor}`);
    expect(older.body.items.map((i: any) => i.week)).toContain(week.week);
  });
});
