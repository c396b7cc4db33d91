import { Decimal } from 'decimal.js';
import { HeimdallService } from '#heimdall';
import { JobRunner, ManualClock, WardenError } from '#platform';
import { freshDomain, HEIMDALL as H, HeimdallFactory } from './support/factories/heimdall.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NOON = '2031-03-14T12:00:00.000Z';

describe('Heimdall over HTTP', () => {
  let t: TestApp;
  let h: HeimdallFactory;
  let viewer: string;
  let engine: string;
  let operator: string;

  beforeAll(async () => {
    t = await startTestApp({ clock: new ManualClock(NOON) });
    h = await HeimdallFactory.create(t);
    ({ viewer, engine, operator } = h.tokens);
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.set(NOON));

  const upsert = (body: Record<string, unknown>) => h.upsert(body);
  const domainWith = (over: Record<string, unknown> = {}) => h.policy(over);
  const trial = (...args: Parameters<HeimdallFactory['trial']>) => h.trial(...args);
  const trials = (domain: string, count: number, successes: number, confidence = 0.9) => h.trials(domain, count, successes, confidence);
  const recommend = (...args: Parameters<HeimdallFactory['recommend']>) => h.recommend(...args);
  const requireEligible = (...args: Parameters<HeimdallFactory['requireEligible']>) => h.requireEligible(...args);
  const scorecard = (domain: string) => h.scorecard(domain);

  it('seeds the four original policies, all with prod use disabled, and reports them to the go-live checklist', async () => {
    const res = await t.http('GET', `${H}/policies`, undefined, { token: viewer });
    expect(res.status).toBe(200);
    const seeded = Object.fromEntries(
      res.body.filter((p: any) => ['WHOLESALE_OFFER', 'BUYER_MATCH', 'CAPITAL_ROUTE', 'FOLLOWUP_NEXT_ACTION'].includes(p.domain)).map((p: any) => [p.domain, p]),
    );
    expect(seeded).toEqual({
      WHOLESALE_OFFER: expect.objectContaining({ min_confidence: 0.92, min_trials: 75, min_success_rate: 0.82, prod_use_enabled: false, window_days: 1 }),
      BUYER_MATCH: expect.objectContaining({ min_confidence: 0.9, min_trials: 50, min_success_rate: 0.8, prod_use_enabled: false, window_days: 1 }),
      CAPITAL_ROUTE: expect.objectContaining({ min_confidence: 0.95, min_trials: 100, min_success_rate: 0.85, prod_use_enabled: false, window_days: 1 }),
      FOLLOWUP_NEXT_ACTION: expect.objectContaining({ min_confidence: 0.9, min_trials: 60, min_success_rate: 0.8, prod_use_enabled: false, window_days: 1 }),
    });
    const checklist = (await t.http('GET', '/api/governance/go-live/checklist', undefined, { token: viewer })).body;
    const packs = checklist.required.required_packs_installed;
    const mine = packs.parts?.heimdall ?? packs;
    expect(mine.ok).toBe(true);
    expect(mine.detail).toMatch(/^\d+ Heimdall policies present \(\d+ prod-enabled\)$/);
    expect(checklist.required.backend_complete.detail).toContain('heimdall.scorecard_close');
  });

  it('each gate failing alone gives its own gate_reason; all passing gives gate_pass and a 200', async () => {
    // 3 of 4 = 0.75 exactly and confidence 0.8 exactly: the boundaries pass, compared exactly.
    const ok = await domainWith();
    await trials(ok, 4, 3);
    const pass = await recommend(ok, 0.8);
    expect(pass.status).toBe(201);
    expect(pass.body).toMatchObject({ domain: ok, prod_eligible: true, gate_reason: 'gate_pass', reason_codes: [] });
    expect(pass.body.gates).toHaveLength(5);
    expect(pass.body.gates.every((g: any) => g.passed)).toBe(true);
    const allowed = await requireEligible(pass.body.id);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ recommendation_id: pass.body.id, prod_eligible: true, gate_reason: 'gate_pass' });

    const lowConfidence = await recommend(ok, 0.79);
    const noProd = await domainWith({ prod_use_enabled: false });
    await trials(noProd, 4, 3);
    const fewTrials = await domainWith();
    await trials(fewTrials, 3, 3);
    const lowRate = await domainWith();
    await trials(lowRate, 4, 2);

    const cases: Array<[string, number, string]> = [
      [lowConfidence.body.id, 0.79, 'confidence_below_threshold'],
      [(await recommend(noProd, 0.9)).body.id, 0.9, 'prod_use_disabled'],
      [(await recommend(fewTrials, 0.9)).body.id, 0.9, 'insufficient_sandbox_trials'],
      [(await recommend(lowRate, 0.9)).body.id, 0.9, 'sandbox_success_rate_below_threshold'],
    ];
    for (const [id, confidence, reason] of cases) {
      const rec = (await t.http('GET', `${H}/recommendations/${id}`, undefined, { token: viewer })).body;
      expect(rec).toMatchObject({ confidence, prod_eligible: false, gate_reason: reason, reason_codes: [reason] });
      const refused = await requireEligible(id);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: 'heimdall_gate_failed', reason_codes: [reason] });
      expect(refused.body.details).toMatchObject({ recommendation_id: id, gate_reason: reason });
      const failing = refused.body.details.gates.filter((g: any) => !g.passed);
      expect(failing.map((g: any) => g.reason_code)).toEqual([reason]);
    }
    expect((await t.http('GET', `${H}/recommendations/${cases[2][0]}`, undefined, { token: viewer })).body.gates[2]).toMatchObject({
      gate: 'min_sandbox_trials',
      actual: 3,
      required: 4,
      shortfall: 1,
      distance: "1 more trial (3 of 4 in today's window)",
    });

    // Every decision, allowed or refused, is an event.
    const events = await t.sql(`SELECT kind, outcome FROM heimdall_event WHERE recommendation_id = $1 ORDER BY id`, [cases[0][0]]);
    expect(events).toEqual([
      { kind: 'recommendation.created', outcome: 'confidence_below_threshold' },
      { kind: 'recommendation.checked', outcome: 'confidence_below_threshold' },
    ]);
  });

  it('prod_use_enabled false always fails first', async () => {
    const domain = await domainWith({ prod_use_enabled: false });
    await trials(domain, 2, 0);
    const rec = await recommend(domain, 0.1);
    expect(rec.body.gate_reason).toBe('prod_use_disabled');
    expect(rec.body.reason_codes).toEqual(['prod_use_disabled', 'confidence_below_threshold', 'insufficient_sandbox_trials', 'sandbox_success_rate_below_threshold']);
    const refused = await requireEligible(rec.body.id);
    expect(refused.body.reason_codes[0]).toBe('prod_use_disabled');
  });

  it('a recommendation eligible yesterday is not eligible today once the policy or the scorecard changed', async () => {
    const domain = await domainWith();
    await trials(domain, 4, 4);
    const rec = (await recommend(domain, 0.9)).body;
    expect(rec.prod_eligible).toBe(true);
    expect((await requireEligible(rec.id)).status).toBe(200);

    // The policy changes: a partial upsert keeps the other fields.
    const raised = await upsert({ domain, min_trials: 10, reason: 'more evidence first' });
    expect(raised).toMatchObject({ min_trials: 10, min_confidence: 0.8, min_success_rate: 0.75, prod_use_enabled: true });
    const refused = await requireEligible(rec.id);
    expect(refused.status).toBe(403);
    expect(refused.body.reason_codes).toEqual(['insufficient_sandbox_trials']);
    await upsert({ domain, min_trials: 4 });
    expect((await requireEligible(rec.id)).status).toBe(200);

    // The day changes: today's window holds none of yesterday's trials.
    t.clock.set('2031-03-15T00:00:01Z');
    const nextDay = await requireEligible(rec.id);
    expect(nextDay.status).toBe(403);
    expect(nextDay.body.reason_codes).toEqual(['insufficient_sandbox_trials', 'sandbox_success_rate_below_threshold']);
    // The stored decision at creation is unchanged; the checks are on record.
    const detail = (await t.http('GET', `${H}/recommendations/${rec.id}`, undefined, { token: viewer })).body;
    expect(detail.prod_eligible).toBe(true);
    expect(detail.checks.map((c: any) => c.outcome)).toEqual(['gate_pass', 'insufficient_sandbox_trials', 'gate_pass', 'insufficient_sandbox_trials']);
  });

  it('200 concurrent trials on one domain: exactly 200 counted, with the exact success count and mean confidence', async () => {
    const domain = await domainWith();
    const bound = await t.token('engine', { domains: [domain] });
    const confidences = Array.from({ length: 200 }, (_, i) => ((i * 37) % 1000) / 1000 + 0.0001 * (i % 3));
    const results = await Promise.all(confidences.map((c, i) => trial(domain, i % 3 !== 0, c, {}, bound)));
    expect(results.map((r) => r.status)).toEqual(Array(200).fill(201));

    const sum = confidences.reduce((acc, c) => acc.plus(new Decimal(String(c))), new Decimal(0));
    const card = await scorecard(domain);
    expect(card).toMatchObject({ trials: 200, successes: 133, confidence_sum: sum.toFixed(), avg_confidence: sum.div(200).toNumber() });
    expect(card.success_rate).toBe(133 / 200);
    const [row] = await t.sql(`SELECT trials::int, successes::int, confidence_sum::text FROM heimdall_scorecard_day WHERE domain = $1`, [domain]);
    expect(row).toEqual({ trials: 200, successes: 133, confidence_sum: expect.any(String) });
    expect(new Decimal(row.confidence_sum).eq(sum)).toBe(true);
    expect((await t.sql(`SELECT count(*)::int AS n FROM heimdall_trial WHERE domain = $1`, [domain]))[0].n).toBe(200);
  });

  it("day change: yesterday's trials leave a 1-day window and count in a 7-day one; the daily job closes the day", async () => {
    const daily = await domainWith();
    const weekly = await domainWith({ window_days: 7 });
    t.clock.set('2031-03-14T23:59:30Z');
    for (const domain of [daily, weekly]) await trials(domain, 3, 2, 0.85);
    expect(await scorecard(daily)).toMatchObject({ trials: 3, successes: 2, today: { trials: 3, successes: 2 }, window_from: '2031-03-14' });

    t.clock.set('2031-03-15T00:10:00Z');
    expect(await scorecard(daily)).toMatchObject({ trials: 0, successes: 0, success_rate: null, avg_confidence: null, window_to: '2031-03-15' });
    expect(await scorecard(weekly)).toMatchObject({
      trials: 3,
      successes: 2,
      avg_confidence: 0.85,
      today: { trials: 0, successes: 0 },
      window_from: '2031-03-09',
      window_to: '2031-03-15',
    });
    // One more trial today counts in both.
    await trials(daily, 1, 1);
    expect((await scorecard(daily)).trials).toBe(1);

    const runner = t.app.get(JobRunner);
    const outcomes = await runner.runJob('heimdall.scorecard_close');
    expect(outcomes).toEqual([expect.objectContaining({ boundary: '2031-03-15T00:05:00.000Z', status: 'succeeded' })]);
    expect(await runner.runJob('heimdall.scorecard_close')).toEqual([]);
    const closed = await t.http('GET', `${H}/scorecard/closed?domain=${daily}`, undefined, { token: viewer });
    expect(closed.body).toEqual([
      expect.objectContaining({
        day: '2031-03-14',
        domain: daily,
        outcome: 'insufficient_sandbox_trials',
        details: expect.objectContaining({ day_counts: { trials: 3, successes: 2 }, avg_confidence: 0.85, prod_eligible: false }),
      }),
    ]);
    // 3 trials of 4, 2 of 3 < 0.75: at the close both sandbox gates failed.
    expect(closed.body[0].details.reason_codes).toEqual(['insufficient_sandbox_trials', 'sandbox_success_rate_below_threshold']);
  });

  it('kill switch engaged: require-prod-eligible is 403 kill_switch_engaged, recommendations are gated, trials still count', async () => {
    const domain = await domainWith();
    await trials(domain, 4, 4);
    const rec = (await recommend(domain, 0.95)).body;
    expect(rec.prod_eligible).toBe(true);
    const engaged = await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'incident' }, { token: operator });
    expect(engaged.status).toBe(200);
    try {
      const refused = await requireEligible(rec.id);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: 'kill_switch_engaged', reason_codes: ['kill_switch_engaged'] });
      expect(refused.body.details.gates.find((g: any) => g.gate === 'kill_switch_released')).toMatchObject({ passed: false });
      await expect(t.app.get(HeimdallService).requireProdEligible(rec.id)).rejects.toMatchObject({ code: 'kill_switch_engaged', status: 403 });

      const during = await recommend(domain, 0.95);
      expect(during.status).toBe(201);
      expect(during.body).toMatchObject({ prod_eligible: false, gate_reason: 'kill_switch_engaged' });
      expect((await trial(domain, true)).status).toBe(201);
      const card = (await t.http('GET', `${H}/scorecard/today?domain=${domain}`, undefined, { token: viewer })).body;
      expect(card.kill_switch_engaged).toBe(true);
      expect(card.domains[0]).toMatchObject({ trials: 5, prod_eligible: false, gate_reason: 'kill_switch_engaged' });
    } finally {
      await t.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'resolved' }, { token: operator });
    }
    expect((await requireEligible(rec.id)).status).toBe(200);
  });

  it('bad input is 4xx with a stable code and records nothing', async () => {
    const domain = await domainWith();
    await trials(domain, 4, 4);
    const rec = (await recommend(domain, 0.9)).body;
    const other = await domainWith();
    const counts = async () =>
      (
        await t.sql(`SELECT (SELECT count(*) FROM heimdall_trial)::int AS trials, (SELECT count(*) FROM heimdall_recommendation)::int AS recs,
          (SELECT count(*) FROM heimdall_event)::int AS events, (SELECT coalesce(sum(trials), 0) FROM heimdall_scorecard_day)::int AS counted,
          (SELECT count(*) FROM heimdall_policy)::int AS policies, (SELECT count(*) FROM audit_log)::int AS audits`)
      )[0];
    const before = await counts();

    const expectError = async (res: { status: number; body: any }, status: number, error: string, field?: string) => {
      expect({ status: res.status, error: res.body.error }).toEqual({ status, error });
      if (field) expect(res.body.message).toContain(field);
    };
    for (const confidence of [1.01, -0.1, '1.5', 'abc', null, true, '0.' + '1'.repeat(31)]) {
      await expectError(await trial(domain, true, confidence), 400, 'validation_failed', 'confidence');
      await expectError(await recommend(domain, confidence), 400, 'validation_failed', 'confidence');
    }
    await expectError(await trial('NO_SUCH_DOMAIN', true), 404, 'unknown_domain');
    await expectError(await recommend('NO_SUCH_DOMAIN', 0.9), 404, 'unknown_domain');
    await expectError(await t.http('POST', `${H}/sandbox/trial`, { domain, confidence: 0.9 }, { token: engine }), 400, 'validation_failed', 'success');
    await expectError(await trial(domain, 'yes' as any), 400, 'validation_failed', 'success');
    await expectError(await trial(domain, true, 0.9, { extra: 1 }), 400, 'validation_failed', 'extra');
    await expectError(await trial(domain, true, 0.9, { recommendation_id: 'nope' }), 400, 'validation_failed', 'recommendation_id');
    await expectError(await trial(domain, true, 0.9, { recommendation_id: '00000000-0000-4000-8000-000000000000' }), 404, 'recommendation_not_found');
    await expectError(await trial(other, true, 0.9, { recommendation_id: rec.id }), 400, 'recommendation_domain_mismatch');
    await expectError(await trial('bad domain!', true), 400, 'validation_failed', 'domain');
    await expectError(await recommend(domain, 0.9, { payload: [1, 2] }), 400, 'validation_failed', 'payload');
    await expectError(await recommend(domain, 0.9, { prod_eligible: true }), 400, 'validation_failed', 'prod_eligible');
    await expectError(await trial(domain, true, 0.9, { correlation_id: 'has space' }), 400, 'validation_failed', 'correlation_id');
    const broken = await t.http('POST', `${H}/sandbox/trial`, undefined, { token: engine, raw: '{"domain":', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    await expectError(await requireEligible('00000000-0000-4000-8000-000000000000'), 404, 'recommendation_not_found');
    await expectError(await requireEligible('not-a-uuid'), 404, 'recommendation_not_found');
    await expectError(await t.http('GET', `${H}/recommendations/not-a-uuid`, undefined, { token: viewer }), 404, 'recommendation_not_found');
    await expectError(await requireEligible(rec.id, engine, { force: true }), 400, 'validation_failed', 'force');
    await expectError(await t.http('GET', `${H}/scorecard/today?domain=NO_SUCH_DOMAIN`, undefined, { token: viewer }), 404, 'unknown_domain');
    await expectError(await t.http('GET', `${H}/recommendations?limit=0`, undefined, { token: viewer }), 400, 'validation_failed', 'limit');
    await expectError(await t.http('GET', `${H}/recommendations?before=abc`, undefined, { token: viewer }), 400, 'validation_failed', 'before');

    const up = (body: unknown) => t.http('POST', `${H}/policies/upsert`, body, { token: operator });
    await expectError(await up({ domain, min_confidence: 1.2 }), 400, 'validation_failed', 'min_confidence');
    await expectError(await up({ domain, min_success_rate: -1 }), 400, 'validation_failed', 'min_success_rate');
    await expectError(await up({ domain, min_trials: -1 }), 400, 'validation_failed', 'min_trials');
    await expectError(await up({ domain, min_trials: 1.5 }), 400, 'validation_failed', 'min_trials');
    await expectError(await up({ domain, window_days: 0 }), 400, 'validation_failed', 'window_days');
    await expectError(await up({ domain, prod_use_enabled: 'maybe' }), 400, 'validation_failed', 'prod_use_enabled');
    await expectError(await up({ domain, enabled: true }), 400, 'validation_failed', 'enabled');
    await expectError(await up({ domain: 'BRAND_NEW_DOMAIN', min_confidence: 0.9 }), 400, 'policy_incomplete', 'min_trials, min_success_rate');

    expect(await counts()).toEqual(before);
  });

  it('idempotent by correlation_id (or Idempotency-Key): a retry returns the original, a different body is 409, counted once', async () => {
    const domain = await domainWith();
    const first = await trial(domain, true, 0.9, { correlation_id: `trial-${domain}` });
    const again = await trial(domain, true, '0.90', { correlation_id: `trial-${domain}` });
    expect(first.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const conflict = await trial(domain, true, 0.91, { correlation_id: `trial-${domain}` });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toBe('idempotency_conflict');
    const viaHeader = await t.http('POST', `${H}/sandbox/trial`, { domain, success: false, confidence: 0.5 }, { token: engine, headers: { 'idempotency-key': `h-${domain}` } });
    const viaHeaderAgain = await t.http('POST', `${H}/sandbox/trial`, { domain, success: false, confidence: 0.5 }, { token: engine, headers: { 'idempotency-key': `h-${domain}` } });
    expect(viaHeaderAgain.body.id).toBe(viaHeader.body.id);
    expect(await scorecard(domain)).toMatchObject({ trials: 2, successes: 1 });

    const rec = await recommend(domain, 0.9, { correlation_id: `rec-${domain}`, payload: { a: 1, b: [1, 2] } });
    const recAgain = await recommend(domain, 0.9, { correlation_id: `rec-${domain}`, payload: { b: [1, 2], a: 1 } });
    expect(recAgain.status).toBe(201);
    expect(recAgain.body).toEqual(rec.body);
    expect((await recommend(domain, 0.9, { correlation_id: `rec-${domain}`, payload: { a: 2 } })).status).toBe(409);
    expect((await t.sql(`SELECT count(*)::int AS n FROM heimdall_event WHERE recommendation_id = $1`, [rec.body.id]))[0].n).toBe(1);
  });

  it('roles and domain-bound tokens', async () => {
    const domain = await domainWith();
    const otherDomain = await domainWith();
    await trials(domain, 4, 4);
    const rec = (await recommend(domain, 0.9)).body;
    const bound = await t.token('engine', { domains: [otherDomain] });
    expect((await trial(domain, true, 0.9, {}, viewer)).status).toBe(403);
    expect((await trial(domain, true, 0.9, {}, bound)).body.error).toBe('domain_not_bound');
    expect((await recommend(domain, 0.9, {}, bound)).body.error).toBe('domain_not_bound');
    expect((await requireEligible(rec.id, bound)).body.error).toBe('domain_not_bound');
    expect((await t.http('POST', `${H}/policies/upsert`, { domain, prod_use_enabled: false }, { token: engine })).status).toBe(403);
    expect((await t.http('GET', `${H}/policies`, undefined, { token: null })).status).toBe(401);
    expect(await scorecard(domain)).toMatchObject({ trials: 4 });
    expect((await t.sql(`SELECT count(*)::int AS n FROM heimdall_event WHERE recommendation_id = $1`, [rec.id]))[0].n).toBe(1);
  });

  it('policy upserts are audited with before and after, as the acting principal', async () => {
    const domain = freshDomain('AUD');
    await upsert({ domain, min_confidence: '0.925', min_trials: 10, min_success_rate: 0.8, actor: 'alice', reason: 'new recommender' });
    await upsert({ domain, prod_use_enabled: true, reason: 'sandbox earned it' });
    const audit = await t.sql(`SELECT principal, actor_label, action, reason, details FROM audit_log WHERE subject = $1 ORDER BY id`, [`heimdall.policy:${domain}`]);
    expect(audit).toHaveLength(2);
    expect(audit.map((a) => a.action)).toEqual(['heimdall.policy.create', 'heimdall.policy.update']);
    expect(audit[0]).toMatchObject({ actor_label: 'alice', reason: 'new recommender', details: { before: null } });
    expect(audit[0].principal).toMatch(/^operator-/);
    expect(audit[1].details.before).toMatchObject({ prod_use_enabled: false, min_confidence: 0.925 });
    expect(audit[1].details.after).toMatchObject({ prod_use_enabled: true, min_confidence: 0.925, min_trials: 10 });
  });

  it('two concurrent creates of the same new policy: exactly one create, the other an update (over HTTP)', async () => {
    const domain = freshDomain('RACE');
    const body = { domain, min_confidence: 0.9, min_trials: 10, min_success_rate: 0.8 };
    const results = await Promise.all([
      t.http('POST', `${H}/policies/upsert`, body, { token: operator }),
      t.http('POST', `${H}/policies/upsert`, { ...body, min_trials: 20 }, { token: operator }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const audit = await t.sql(`SELECT action, details FROM audit_log WHERE subject = $1 ORDER BY id`, [`heimdall.policy:${domain}`]);
    expect(audit.map((a) => a.action)).toEqual(['heimdall.policy.create', 'heimdall.policy.update']);
    expect(audit[0].details.before).toBeNull();
    expect(audit[1].details.before).toEqual(audit[0].details.after);
    const events = await t.sql(`SELECT details FROM heimdall_event WHERE kind = 'policy.upserted' AND domain = $1 ORDER BY id`, [domain]);
    expect(events.map((e) => e.details.before === null)).toEqual([true, false]);
    const [row] = await t.sql(`SELECT min_trials FROM heimdall_policy WHERE domain = $1`, [domain]);
    expect(row.min_trials).toBe(audit[1].details.after.min_trials);
  });

  it('a new policy missing thresholds is policy_incomplete naming every missing field', async () => {
    const res = await t.http('POST', `${H}/policies/upsert`, { domain: freshDomain('INC'), min_confidence: 0.9 }, { token: operator });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'policy_incomplete' });
    expect(res.body.details.fields.map((f: any) => f.field)).toEqual(['min_trials', 'min_success_rate']);
  });

  it('lists recommendations newest first, filtered by domain and eligibility, with ?before= pagination', async () => {
    const domain = await domainWith();
    await trials(domain, 4, 4);
    const made = [];
    for (const c of [0.9, 0.5, 0.95, 0.6, 0.85]) made.push((await recommend(domain, c)).body);
    const page1 = (await t.http('GET', `${H}/recommendations?domain=${domain}&limit=2`, undefined, { token: viewer })).body;
    expect(page1.items.map((r: any) => r.confidence)).toEqual([0.85, 0.6]);
    const page2 = (await t.http('GET', `${H}/recommendations?domain=${domain}&limit=2&before=${page1.next_cursor}`, undefined, { token: viewer })).body;
    expect(page2.items.map((r: any) => r.confidence)).toEqual([0.95, 0.5]);
    const page3 = (await t.http('GET', `${H}/recommendations?domain=${domain}&limit=2&before=${page2.next_cursor}`, undefined, { token: viewer })).body;
    expect(page3).toEqual({ items: [expect.objectContaining({ id: made[0].id })], next_cursor: null });
    const refused = (await t.http('GET', `${H}/recommendations?domain=${domain}&prod_eligible=false`, undefined, { token: viewer })).body;
    expect(refused.items.map((r: any) => r.gate_reason)).toEqual(['confidence_below_threshold', 'confidence_below_threshold']);
    const eligible = (await t.http('GET', `${H}/recommendations?domain=${domain.toLowerCase()}&prod_eligible=true`, undefined, { token: viewer })).body;
    expect(eligible.items).toHaveLength(3);
    const later = (await t.http('GET', `${H}/recommendations?domain=${domain}&since=${encodeURIComponent(new Date(Date.parse(NOON) + 1000).toISOString())}`, undefined, { token: viewer })).body;
    expect(later).toEqual({ items: [], next_cursor: null });
    const upTo = (await t.http('GET', `${H}/recommendations?domain=${domain}&until=${encodeURIComponent(new Date(Date.parse(NOON) + 1000).toISOString())}`, undefined, { token: viewer })).body;
    expect(upTo.items).toHaveLength(5);
    expect((await t.http('GET', `${H}/recommendations?cursor=1`, undefined, { token: viewer })).status).toBe(400); // the old name is gone
  });

  it('the scorecard says how far each gate is from passing', async () => {
    const domain = freshDomain('FRI');
    await upsert({ domain, min_confidence: 0.92, min_trials: 75, min_success_rate: 0.82 });
    const batch = Array.from({ length: 63 }, (_, i) => trial(domain, i < 50, i % 2 ? 0.9 : 0.91));
    expect((await Promise.all(batch)).every((r) => r.status === 201)).toBe(true);
    const card = await scorecard(domain);
    expect(card).toMatchObject({ trials: 63, successes: 50, prod_eligible: false, gate_reason: 'prod_use_disabled' });
    const byGate = Object.fromEntries(card.gates.map((g: any) => [g.gate, g]));
    expect(byGate.min_sandbox_trials).toMatchObject({ actual: 63, required: 75, shortfall: 12, distance: "12 more trials (63 of 75 in today's window)" });
    expect(byGate.min_sandbox_success_rate).toMatchObject({ required: 0.82, shortfall: 10, distance: 'success rate 0.79 of 0.82 (10 more successes in a row)' });
    expect(byGate.min_confidence).toMatchObject({ required: 0.92, passed: false });
    expect(byGate.min_confidence.distance).toMatch(/^confidence 0\.90 of 0\.92/);
    expect(byGate.prod_use_enabled).toMatchObject({ passed: false, shortfall: null });
    expect(card.summary).toMatch(new RegExp(`^${domain}: not eligible \\(prod_use_disabled\\) — prod use disabled.*12 more trials.*success rate 0\\.79 of 0\\.82`));
    const all = (await t.http('GET', `${H}/scorecard/today`, undefined, { token: viewer })).body;
    expect(all.day).toBe('2031-03-14');
    expect(all.domains.map((d: any) => d.domain)).toEqual(expect.arrayContaining(['WHOLESALE_OFFER', 'BUYER_MATCH', domain]));
  });

  it('the in-process service gate for engines', async () => {
    const domain = await domainWith();
    await trials(domain, 4, 4);
    const heimdall = t.app.get(HeimdallService);
    const good = await recommend(domain, 0.9);
    await expect(heimdall.requireProdEligible(good.body.id)).resolves.toMatchObject({ prod_eligible: true, gate_reason: 'gate_pass' });
    const bad = await recommend(domain, 0.5);
    const err = await heimdall.requireProdEligible(bad.body.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WardenError);
    expect(err).toMatchObject({ code: 'heimdall_gate_failed', status: 403, extra: { reasonCodes: ['confidence_below_threshold'] } });
    const [event] = await t.sql(`SELECT principal, outcome FROM heimdall_event WHERE recommendation_id = $1 AND kind = 'recommendation.checked'`, [bad.body.id]);
    expect(event).toEqual({ principal: 'system', outcome: 'confidence_below_threshold' });
  });

  it('documents its routes in OpenAPI and counts its decisions in /metrics', async () => {
    const openapi = (await t.http('GET', '/docs-json', undefined, { token: null })).body;
    for (const path of ['policies', 'policies/upsert', 'scorecard/today', 'sandbox/trial', 'recommend', 'recommendations', 'recommendations/{id}/require-prod-eligible']) {
      expect(Object.keys(openapi.paths)).toContain(`${H}/${path}`);
    }
    const metrics = (await t.http('GET', '/metrics', undefined, { token: viewer })).body;
    expect(metrics).toMatch(/warden_decisions_total\{lever="heimdall",outcome="check_gate_pass"\} \d+/);
    expect(metrics).toMatch(/warden_decisions_total\{lever="heimdall",outcome="trial_recorded"\} \d+/);
  });

  it('trials, recommendations and events are append-only', async () => {
    for (const table of ['heimdall_trial', 'heimdall_recommendation', 'heimdall_event']) {
      await expect(t.sql(`UPDATE ${table} SET domain = domain`)).rejects.toThrow(/append-only/);
      await expect(t.sql(`DELETE FROM ${table}`)).rejects.toThrow(/append-only/);
    }
  });
});
