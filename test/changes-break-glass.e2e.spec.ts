import { APPROVALS_EXPIRY_JOB } from '#approvals';
import { JobRunner } from '#platform';
import { isoWeekOf } from '#review';
import { until, WebhookReceiver } from './support/receiver.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { DAY, HOUR, reviewApi, section } from './support/factories/review.js';
import { G, held } from './support/factories/changes.js';

describe('break-glass: one held change through, recorded, notified at once, reviewed by a second operator', () => {
  const receiver = new WebhookReceiver();
  let t: TestApp;
  let engine: string;
  let op1: string;
  let op2: string;
  let op1Name: string;
  const week = isoWeekOf(new Date(Date.now() - 28 * DAY)); // older than the week the Monday job catches up at start
  const handled = (approvalId: string) => until(async () => (await t.sql(`SELECT handled_at IS NOT NULL AS h FROM approval_decided_event WHERE approval_id = $1`, [approvalId]))[0]?.h === true);

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({ env: { WARDEN_WEBHOOK_URLS: receiver.url } });
    op1Name = `op-glass-${Math.random().toString(36).slice(2, 8)}`;
    [engine, op1, op2] = await Promise.all([t.token('engine'), t.token('operator', { name: op1Name }), t.token('operator')]);
    t.clock.set(new Date(week.from.getTime() + DAY + 10 * HOUR));
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  it('lets a critical change (two approvers needed) through on one operator, files the review, and notifies at once', async () => {
    const h = await held(t, engine, { paths: ['alembic/versions/007.py'], justification: 'hotfix the index' });
    expect(h.risk_level).toBe('critical');
    expect((await t.http('POST', `${G}/break-glass/${h.request_id}`, {}, { token: op1 })).status).toBe(400);
    expect((await t.http('POST', `${G}/break-glass/${h.request_id}`, { reason: 'outage' }, { token: engine })).status).toBe(403);

    const res = await t.http('POST', `${G}/break-glass/${h.request_id}`, { reason: 'production outage, index missing' }, { token: op1 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'break_glass', approved: true, approved_by: op1Name, break_glass: { by: op1Name, reason: 'production outage, index missing', review_status: 'open' } });
    const reviewId = res.body.break_glass.review_approval_id;
    expect((await t.http('GET', `${G}/approvals/${reviewId}`)).body).toMatchObject({ kind: 'change_review', subject: `change:${h.request_id}`, requested_by: op1Name, status: 'pending' });
    expect((await t.http('GET', `${G}/request/${h.request_id}`)).body.status).toBe('break_glass');

    // Recorded, and notified at once (the outbox row commits with it; the dispatcher delivers it).
    expect(await t.sql(`SELECT action, reason FROM audit_log WHERE subject = $1 ORDER BY id`, [`change:${h.request_id}`])).toEqual([{ action: 'changes.break_glass', reason: 'production outage, index missing' }]);
    await until(() => receiver.received.some((r) => r.json.topic === 'change.break_glass'));
    const note = receiver.received.find((r) => r.json.topic === 'change.break_glass')!.json;
    expect(JSON.stringify(note)).toContain('/console/approvals');
    expect(JSON.stringify(note)).toContain(reviewId);

    // One change, once: no second break-glass, no later decision on it.
    expect((await t.http('POST', `${G}/break-glass/${h.request_id}`, { reason: 'again' }, { token: op2 })).body.error).toBe('change_not_pending');
    expect((await t.http('POST', `${G}/approve/${h.request_id}?approved=false`, undefined, { token: op2 })).body.error).toBe('change_not_pending');
    // The change's own approval, decided late on the approvals API, changes nothing.
    expect((await t.http('POST', `${G}/approvals/${h.approval_id}/reject`, { reason: 'late' }, { token: op2 })).status).toBe(200);
    await handled(h.approval_id);
    expect(await t.sql(`SELECT status FROM change_request WHERE id = $1`, [h.request_id])).toEqual([{ status: 'break_glass' }]);

    // The review stays open (and in the review's "needs attention") until a second operator closes it.
    t.clock.set(new Date(week.to.getTime() + HOUR));
    const generated = await reviewApi(t).generate(week.week, op2);
    if (!generated.body.report) throw new Error(JSON.stringify([generated.status, generated.body]).slice(0, 500));
    const report = generated.body.report;
    const data = section(report, 'changes');
    expect(data).toMatchObject({ break_glass_uses: 1, by_tier: { tier_1: 0, tier_2: 0, tier_3: 0, tier_4: 1 }, open_reviews: [{ request_id: h.request_id, by: op1Name, review_approval_id: reviewId }] });
    expect(report.needs_attention).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'break_glass_review_open', subject: `change:${h.request_id}` })]));
    expect((await reviewApi(t).html(week.week)).body).toContain('Break-glass reviews still open');

    // Its filer cannot close it; withdrawing it files it again; a second operator closes it.
    expect((await t.http('POST', `${G}/approvals/${reviewId}/approve`, {}, { token: op1 })).body.error).toBe('self_decision_forbidden');
    expect((await t.http('POST', `${G}/approvals/${reviewId}/cancel`, { reason: 'nothing to see' }, { token: op1 })).status).toBe(200);
    await handled(reviewId);
    const [{ review_approval_id: refiled, review_status }] = await t.sql(`SELECT review_approval_id, review_status FROM change_request WHERE id = $1`, [h.request_id]);
    expect([refiled === reviewId, review_status]).toEqual([false, 'open']);
    expect((await t.http('POST', `${G}/approvals/${refiled}/approve`, { reason: 'justified: the outage log agrees' }, { token: op2 })).status).toBe(200);
    await handled(refiled);
    expect((await t.http('GET', `${G}/request/${h.request_id}`)).body.break_glass).toMatchObject({ review_status: 'upheld' });
    const next = isoWeekOf(new Date(week.to.getTime() + DAY));
    t.clock.set(new Date(next.to.getTime() + HOUR));
    const later = await reviewApi(t).generate(next.week, op2);
    if (!later.body.report) throw new Error(JSON.stringify([later.status, later.body]).slice(0, 500));
    const after = later.body.report;
    expect(section(after, 'changes').open_reviews).toEqual([]);
    expect(after.needs_attention.filter((i: { kind: string }) => i.kind === 'break_glass_review_open')).toEqual([]);
  });

  it('an expired review is filed again: it can only be closed', async () => {
    // After the periods the jobs ran at start, so the expiry sweep has a period of its own to run.
    t.clock.set(new Date(Date.now() + DAY));
    const h = await held(t, engine);
    const res = await t.http('POST', `${G}/break-glass/${h.request_id}`, { reason: 'hotfix' }, { token: op1 });
    const first = res.body.break_glass.review_approval_id;
    t.clock.advance(7 * DAY + 60_000);
    expect((await t.app.get(JobRunner).runJob(APPROVALS_EXPIRY_JOB)).map((o) => o.status)).toContain('succeeded');
    await handled(first);
    const [{ review_approval_id, review_status }] = await t.sql(`SELECT review_approval_id, review_status FROM change_request WHERE id = $1`, [h.request_id]);
    expect(review_status).toBe('open');
    expect(review_approval_id).not.toBe(first);
    expect((await t.http('GET', `${G}/approvals/${review_approval_id}`)).body.status).toBe('pending');
  });

  it('there is no switch: no route or setting turns change governance off', async () => {
    const routes = Object.keys((await t.http('GET', '/docs-json')).body.paths).filter((p) => p.startsWith('/api/governance/changes') || /^\/api\/governance\/(pending|approve|request|history|break-glass)/.test(p));
    expect(routes.sort()).toEqual([
      '/api/governance/approve/{request_id}', '/api/governance/break-glass/{request_id}', '/api/governance/changes', '/api/governance/changes/policy',
      '/api/governance/changes/policy/activate', '/api/governance/changes/policy/history', '/api/governance/changes/policy/versions/{digest}',
      '/api/governance/history', '/api/governance/pending', '/api/governance/request/{request_id}',
    ]);
  });
});
