import { CONSOLE_PAGE_HEADERS } from '#platform';
import { isoWeekOf } from '#review';
import { approvalCast } from './support/factories/approvals.js';
import { HOUR, reviewApi } from './support/factories/review.js';
import { engineName, reserveRisk, RISK, upsertRiskPolicy } from './support/factories/risk.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Issue 17, G: the smaller holes, each written as the request that used to get through. */
describe('smaller holes (real HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let cast: Awaited<ReturnType<typeof approvalCast>>;
  const count = async (sql: string, params: unknown[] = []) => (await t.sql(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n as number;

  beforeAll(async () => {
    t = await startTestApp();
    cast = await approvalCast(t);
  });
  afterAll(async () => t?.close());

  it('timeout_seconds is an integer, never a coerced true, "0x10" or "1e3" (400, nothing filed), on both vocabularies', async () => {
    const before = await count('approval_request');
    const rawBodies = ['{"kind":"manual","subject":"s","reason":"r","timeout_seconds":1e3}', '{"kind":"manual","subject":"s","reason":"r","timeout_seconds":600.0}'];
    for (const bad of [true, '0x10', '1e3', ' 600', '600.5', [600], {}, '']) {
      for (const [path, body] of [
        ['/api/governance/approvals', { kind: 'manual', subject: 's', reason: 'r', timeout_seconds: bad }],
        ['/api/governance/approval/request', { run_id: 'r', phase_id: 'p', reason: 'r', timeout_seconds: bad }],
      ] as const) {
        const res = await t.http('POST', path, body, { token: cast.engine });
        expect([JSON.stringify(bad), res.status, res.body.error]).toEqual([JSON.stringify(bad), 400, 'validation_failed']);
        expect(JSON.stringify(res.body.details)).toContain('timeout_seconds');
      }
    }
    for (const raw of rawBodies) {
      const res = await t.http('POST', '/api/governance/approvals', undefined, { token: cast.engine, raw, headers: { 'content-type': 'application/json' } });
      expect([res.status, res.body.error]).toEqual([400, 'validation_failed']);
    }
    expect(await count('approval_request')).toBe(before);
    // What was valid still is: a JSON integer, digits in a string, null or nothing (the default hour).
    for (const [given, seconds] of [[600, 600], ['600', 600], [null, 3600], [undefined, 3600]] as const) {
      const res = await t.http('POST', '/api/governance/approvals', { kind: 'manual', subject: 's', reason: 'r', timeout_seconds: given }, { token: cast.engine });
      expect(res.status).toBe(202);
      expect(new Date(res.body.expires_at).getTime() - t.clock.now().getTime()).toBe(seconds * 1000);
    }
  });

  it('enforcement_mode: null is 400 validation_failed, not 500, and the policy is unchanged', async () => {
    const engine = engineName('EM');
    const policy = await upsertRiskPolicy(t, cast.op1, { engine, max_daily_exposure: '100', max_open_risk: '100', max_daily_loss: '50', enforcement_mode: 'observe' });
    const before = await t.sql(`SELECT * FROM risk_policy WHERE engine = $1`, [engine]);
    const audits = await count(`audit_log WHERE subject = $1`, [`risk_policy:${engine}`]);
    for (const bad of [null, 'OBSERVE', '', 1, true]) {
      const res = await t.http('POST', `${RISK}/policies/upsert`, { engine, enforcement_mode: bad }, { token: cast.op1 });
      expect([JSON.stringify(bad), res.status, res.body.error]).toEqual([JSON.stringify(bad), 400, 'validation_failed']);
      expect(JSON.stringify(res.body.details)).toContain('enforcement_mode');
    }
    expect(await t.sql(`SELECT * FROM risk_policy WHERE engine = $1`, [engine])).toEqual(before);
    expect(await count(`audit_log WHERE subject = $1`, [`risk_policy:${engine}`])).toBe(audits);
    expect(policy.enforcement_mode).toBe('observe');
  });

  it("an operator's void writes its audit row, in the void's transaction; a replayed void writes none", async () => {
    const engine = engineName('VD');
    await upsertRiskPolicy(t, cast.op1, { engine, max_daily_exposure: '100', max_open_risk: '100', max_daily_loss: '50' });
    const engineToken = await t.token('engine', { engines: [engine] });
    const reserved = await reserveRisk(t, engineToken, { engine, amount: 5, correlation_id: `${engine}-1` });
    expect(reserved.status).toBe(201);
    const id = reserved.body.reservation_id as string;
    const voided = await t.http('POST', `${RISK}/void`, { reservation_id: id, reason: 'engine crashed before acting' }, { token: cast.op1 });
    expect(voided.status).toBe(200);
    const rows = await t.sql(`SELECT principal, principal_token_id, action, reason, details FROM audit_log WHERE subject = $1`, [`reservation:${id}`]);
    expect(rows).toEqual([
      {
        principal: expect.stringMatching(/^operator-/),
        principal_token_id: expect.any(String),
        action: 'risk.reservation.void',
        reason: 'engine crashed before acting',
        details: expect.objectContaining({ engine, amount: '5', correlation_id: `${engine}-1` }),
      },
    ]);
    const replay = await t.http('POST', `${RISK}/void`, { reservation_id: id, reason: 'engine crashed before acting' }, { token: cast.op1 });
    expect(replay.status).toBe(200);
    const refused = await t.http('POST', `${RISK}/void`, { reservation_id: id, reason: 'another reason' }, { token: cast.op1 });
    expect(refused.status).toBe(409);
    expect(await count(`audit_log WHERE subject = $1`, [`reservation:${id}`])).toBe(1);
    // A settle (the engine's own act, on the risk event trail) writes no audit row, as before.
    const settledRes = await reserveRisk(t, engineToken, { engine, amount: 5, correlation_id: `${engine}-2` });
    expect((await t.http('POST', `${RISK}/settle`, { reservation_id: settledRes.body.reservation_id, realized_loss: '0' }, { token: engineToken })).status).toBe(200);
    expect(await count(`audit_log WHERE subject = $1`, [`reservation:${settledRes.body.reservation_id}`])).toBe(0);
  });

  it("the review page carries the console's security headers: CSP (nothing runs, nothing is fetched, no framing), nosniff, referrer", async () => {
    const week = isoWeekOf(new Date());
    t.clock.set(new Date(week.to.getTime() + 9 * HOUR));
    expect((await reviewApi(t).generate(week.week, cast.op1)).status).toBe(201);
    const page = await reviewApi(t, cast.viewer).html(week.week);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).not.toMatch(/script-src/);
    for (const name of ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'cache-control']) {
      expect([name, page.headers.get(name)]).toEqual([name, CONSOLE_PAGE_HEADERS[name]]);
    }
    // The page needs no more than that CSP allows: no script, no external resource.
    expect(page.body).not.toMatch(/<script|src=|href="http/i);
  });
});
