import { randomBytes } from 'node:crypto';
import { HeimdallFactory } from './support/factories/heimdall.js';
import { activePolicy, evaluate, intent, uniqueIdentity } from './support/factories/gate.js';
import { engineName, reserveRisk, upsertRiskPolicy } from './support/factories/risk.js';
import { freshDomain, successes, tripwireApi } from './support/factories/tripwire.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The records behind the console's record pages (issue 22, item 4), through the real app and the
 * real PostgreSQL: the audit trail in snake_case with its filters and cursor paging, and the list
 * and by-id routes of risk denials, Heimdall checks and tripwire evaluations.
 */
const G = '/api/governance';
const AUDIT = `${G}/audit`;

let t: TestApp;
let viewer: string;
let operator: string;
let opName: string;

beforeAll(async () => {
  t = await startTestApp();
  viewer = await t.token('viewer');
  opName = `records-op-${randomBytes(3).toString('hex')}`;
  const created = await t.http('POST', `${G}/tokens`, { name: opName, role: 'operator' });
  expect(created.status).toBe(201);
  operator = created.body.token;
}, 120_000);
afterAll(() => t?.close());

/** Every page of a list, following next_cursor; each page at most `limit` items. */
async function walk(path: string, limit: number, token = operator): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const sep = path.includes('?') ? '&' : '?';
    const res: { status: number; body: any } = await t.http('GET', `${path}${sep}limit=${limit}${cursor ? `&before=${cursor}` : ''}`, undefined, { token });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    out.push(...res.body.items);
    cursor = res.body.next_cursor;
    if (!cursor) return out;
    expect(cursor).toBe(res.body.items[res.body.items.length - 1].id);
  }
  throw new Error('paging did not end');
}

describe('GET /audit: snake_case fields, filters, cursor paging', () => {
  const engines = [engineName('AUD'), engineName('AUD')];

  beforeAll(async () => {
    // Five audited acts by one principal, on two subjects, with a label on one of them.
    for (const engine of engines) await upsertRiskPolicy(t, operator, { engine, max_daily_exposure: '10', max_open_risk: '10', max_daily_loss: '5', reason: 'records' });
    await upsertRiskPolicy(t, operator, { engine: engines[0], max_daily_exposure: '20', max_open_risk: '20', max_daily_loss: '5', reason: 'raise', actor: 'alice-label' });
    await t.http('POST', `${G}/go-live/kill-switch/engage`, { reason: 'records drill' }, { token: operator });
    await t.http('POST', `${G}/go-live/kill-switch/release`, { reason: 'records drill over' }, { token: operator });
  });

  it('answers snake_case: principal_token_id and actor_label, never the camelCase of before', async () => {
    const res = await t.http('GET', `${AUDIT}?subject=risk_policy:${engines[0]}`, undefined, { token: operator });
    expect(res.status).toBe(200);
    const [raise, create] = res.body.items;
    expect(Object.keys(raise).sort()).toEqual(['action', 'actor_label', 'at', 'details', 'id', 'principal', 'principal_token_id', 'reason', 'subject']);
    expect(raise).toMatchObject({ principal: opName, principal_token_id: expect.any(String), actor_label: 'alice-label', reason: 'raise', subject: `risk_policy:${engines[0]}` });
    // before/after of the change, as recorded
    expect(raise.details.before).toMatchObject({ max_daily_exposure: '10' });
    expect(raise.details.after).toMatchObject({ max_daily_exposure: '20' });
    expect(create).toMatchObject({ actor_label: null, reason: 'records' });
    expect(JSON.stringify(res.body)).not.toMatch(/principalTokenId|actorLabel/);
  });

  it('filters by subject, action, principal and time, combined, exactly as the table says', async () => {
    const byPrincipal = await walk(`${AUDIT}?principal=${opName}`, 2);
    const expected = await t.sql(`SELECT id::text AS id FROM audit_log WHERE principal = $1 ORDER BY audit_log.id DESC`, [opName]);
    expect(byPrincipal.map((e) => e.id)).toEqual(expected.map((r) => r.id));
    expect(byPrincipal.length).toBe(5);

    const action = await t.http('GET', `${AUDIT}?principal=${opName}&action=go_live.kill_switch.engage`, undefined, { token: operator });
    expect(action.body.items.map((e: any) => e.reason)).toEqual(['records drill']);
    const both = await t.http('GET', `${AUDIT}?principal=${opName}&subject=risk_policy:${engines[1]}`, undefined, { token: operator });
    expect(both.body.items.map((e: any) => e.subject)).toEqual([`risk_policy:${engines[1]}`]);
    expect((await t.http('GET', `${AUDIT}?principal=nobody-${randomBytes(3).toString('hex')}`, undefined, { token: operator })).body).toEqual({ items: [], next_cursor: null });

    // [since, until) on the row's time: a window around the second and third rows only
    const rows = await t.sql<{ id: string; at: Date }>(`SELECT id::text AS id, at FROM audit_log WHERE principal = $1 ORDER BY audit_log.id`, [opName]);
    const since = rows[1].at.toISOString();
    const until = new Date(rows[3].at.getTime()).toISOString();
    const window = await t.http('GET', `${AUDIT}?principal=${opName}&since=${since}&until=${until}`, undefined, { token: operator });
    const inWindow = rows.filter((r) => r.at.getTime() >= rows[1].at.getTime() && r.at.getTime() < rows[3].at.getTime()).map((r) => r.id).reverse();
    expect(inWindow).toContain(rows[1].id);
    expect(inWindow).not.toContain(rows[4].id);
    expect(window.body.items.map((e: any) => e.id)).toEqual(inWindow);
  });

  it('pages any filter by cursor: every row once, newest first, the last page links to nothing', async () => {
    const all = await walk(`${AUDIT}?subject=go_live`, 1);
    const expected = await t.sql(`SELECT id::text AS id FROM audit_log WHERE subject = 'go_live' ORDER BY audit_log.id DESC`);
    expect(all.map((e) => e.id)).toEqual(expected.map((r) => r.id));
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  });

  it('refuses bad filters with 400 naming the field, and readers below operator with 403', async () => {
    for (const bad of ['before=abc', 'since=yesterday', 'until=2026-01-01', 'limit=0', `principal=${'x'.repeat(201)}`, 'subject=a%0Ab', 'action=%07']) {
      const res = await t.http('GET', `${AUDIT}?${bad}`, undefined, { token: operator });
      expect([bad, res.status, res.body.error]).toEqual([bad, 400, 'validation_failed']);
    }
    expect((await t.http('GET', AUDIT, undefined, { token: viewer })).status).toBe(403);
  });
});

describe('decisions: risk denials, Heimdall checks, tripwire evaluations, each listed and by id', () => {
  it('risk events: a denial found by its correlation id, then read by id with its reasons; 404 and 400', async () => {
    const engine = engineName('REC');
    await upsertRiskPolicy(t, operator, { engine, max_daily_exposure: '100', max_open_risk: '100', max_daily_loss: '50' });
    const engineToken = await t.token('engine');
    const key = `rec-deny-${randomBytes(4).toString('hex')}`;
    expect((await reserveRisk(t, engineToken, { engine, amount: '60', correlation_id: `${key}-ok` })).status).toBe(201);
    expect((await reserveRisk(t, engineToken, { engine, amount: '60', correlation_id: key })).status).toBe(403);

    const found = await t.http('GET', `${G}/risk/events?correlation_id=${key}&kind=reserve`, undefined, { token: viewer });
    expect(found.status).toBe(200);
    expect(found.body.items).toHaveLength(1);
    const denial = found.body.items[0];
    expect(denial).toMatchObject({ engine, outcome: 'denied', correlation_id: key, reason_codes: expect.arrayContaining(['engine_exposure_cap']) });
    const denials = await t.http('GET', `${G}/risk/events?engine=${engine}&outcome=denied`, undefined, { token: viewer });
    expect(denials.body.items.map((e: any) => e.id)).toEqual([denial.id]);

    const one = await t.http('GET', `${G}/risk/events/${denial.id}`, undefined, { token: viewer });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(denial);
    expect(one.body.details).toEqual(expect.any(Object));
    expect((await t.http('GET', `${G}/risk/events/999999999999`, undefined, { token: viewer })).body).toMatchObject({ statusCode: 404, error: 'risk_event_not_found' });
    expect((await t.http('GET', `${G}/risk/events/abc`, undefined, { token: viewer })).body).toMatchObject({ statusCode: 400, error: 'validation_failed' });
    expect((await t.http('GET', `${G}/risk/events?correlation_id=has%20space`, undefined, { token: viewer })).status).toBe(400);
  });

  it('Heimdall checks: the gating at creation and every re-check (the gate’s too), with their gates; filters, paging, by id', async () => {
    const heimdall = await HeimdallFactory.create(t);
    const domain = await heimdall.policy({ min_trials: 10 });
    await heimdall.trials(domain, 3, 3);
    const key = `rec-h-${randomBytes(4).toString('hex')}`;
    const rec = await heimdall.recommend(domain, 0.95, { correlation_id: key });
    expect(rec.body).toMatchObject({ prod_eligible: false, gate_reason: 'insufficient_sandbox_trials' });
    expect((await heimdall.requireEligible(rec.body.id, heimdall.tokens.engine, { correlation_id: `${key}-check`, actor: 'bot' })).status).toBe(403);
    // The gate checks it too, under the intent's correlation id.
    const policy = (await activePolicy(t)).name;
    const identity = uniqueIdentity('heim');
    const gateKey = `${key}-gate`;
    const judged = await evaluate(t, { intent: intent('tool.read', identity), policy, domain, recommendation_id: rec.body.id, correlation_id: gateKey });
    expect(judged.status).toBe(403);

    const all = await walk(`${G}/heimdall/checks?domain=${domain}`, 1, viewer);
    expect(all.map((c) => [c.kind, c.correlation_id])).toEqual([['checked', gateKey], ['checked', `${key}-check`], ['created', key]]);
    for (const c of all) {
      expect(c).toMatchObject({ domain, recommendation_id: rec.body.id, prod_eligible: false, gate_reason: 'insufficient_sandbox_trials', confidence: 0.95 });
      expect(c.gates.find((g: any) => g.gate === 'min_sandbox_trials')).toMatchObject({ passed: false, actual: 3, required: 10 });
      expect(c.window).toEqual({ trials: 3, successes: 3 });
    }
    expect(all[1].actor).toBe('bot');
    const byKey = await t.http('GET', `${G}/heimdall/checks?correlation_id=${gateKey}`, undefined, { token: viewer });
    expect(byKey.body.items.map((c: any) => c.id)).toEqual([all[0].id]);
    const created = await t.http('GET', `${G}/heimdall/checks?recommendation_id=${rec.body.id}&kind=created`, undefined, { token: viewer });
    expect(created.body.items.map((c: any) => c.id)).toEqual([all[2].id]);
    expect((await t.http('GET', `${G}/heimdall/checks?domain=${domain}&prod_eligible=true`, undefined, { token: viewer })).body.items).toEqual([]);
    expect((await t.http('GET', `${G}/heimdall/checks?domain=${domain}&outcome=gate_pass`, undefined, { token: viewer })).body.items).toEqual([]);

    const one = await t.http('GET', `${G}/heimdall/checks/${all[1].id}`, undefined, { token: viewer });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(all[1]);
    // A heimdall_event that is not a check (a policy change) is not one.
    const [policyEvent] = await t.sql(`SELECT id::text AS id FROM heimdall_event WHERE domain = $1 AND kind = 'policy.upserted' LIMIT 1`, [domain]);
    expect((await t.http('GET', `${G}/heimdall/checks/${policyEvent.id}`, undefined, { token: viewer })).body).toMatchObject({ statusCode: 404, error: 'heimdall_check_not_found' });
    for (const bad of ['outcome=maybe', 'recommendation_id=not-a-uuid', 'kind=other', 'prod_eligible=yes', 'domain=bad-domain']) {
      expect([bad, (await t.http('GET', `${G}/heimdall/checks?${bad}`, undefined, { token: viewer })).status]).toEqual([bad, 400]);
    }
    expect((await t.http('GET', `${G}/heimdall/checks/1e3`, undefined, { token: viewer })).status).toBe(400);
  });

  it('tripwire evaluations: found by the engine they throttled, read by id with the figures; 404 and 400', async () => {
    const engineToken = await t.token('engine');
    const tripwire = tripwireApi(t, { operator, engine: engineToken });
    const target = engineName('TGT');
    await upsertRiskPolicy(t, operator, { engine: target, max_daily_exposure: '10', max_open_risk: '10', max_daily_loss: '5' });
    const domain = freshDomain('REC');
    await tripwire.policy({ domain, metric: 'conversion', action: 'THROTTLE', target_engine: target });
    await tripwire.feed([...successes(domain, 'conversion', 40, 0.9), ...successes(domain, 'conversion', 20, 0.2)]);
    expect((await tripwire.evaluate(domain, 'conversion')).body.status).toBe('triggered');

    const aimed = await t.http('GET', `${G}/regression/events?target_engine=${target}`, undefined, { token: viewer });
    expect(aimed.status).toBe(200);
    expect(aimed.body.items.map((e: any) => e.type)).toEqual(['action_taken', 'triggered']);
    for (const e of aimed.body.items) expect(e).toMatchObject({ domain, metric: 'conversion', details: { target_engine: target } });
    const triggered = aimed.body.items[1];
    const one = await t.http('GET', `${G}/regression/events/${triggered.id}`, undefined, { token: viewer });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(triggered);
    expect(one.body.details).toMatchObject({ drop: expect.any(Number), baseline: expect.any(Number), current: expect.any(Number) });
    expect((await t.http('GET', `${G}/regression/events/999999999999`, undefined, { token: viewer })).body).toMatchObject({ statusCode: 404, error: 'regression_event_not_found' });
    expect((await t.http('GET', `${G}/regression/events/-1`, undefined, { token: viewer })).status).toBe(400);
    expect((await t.http('GET', `${G}/regression/events?target_engine=not-an-engine`, undefined, { token: viewer })).status).toBe(400);
  });

  it('the OpenAPI document declares each new route with its 200, 400 and 404', async () => {
    const doc = (await t.http('GET', '/docs-json', undefined, { token: null })).body;
    for (const path of ['/api/governance/risk/events/{id}', '/api/governance/heimdall/checks/{id}', '/api/governance/regression/events/{id}']) {
      expect([path, Object.keys(doc.paths[path].get.responses).sort()]).toEqual([path, expect.arrayContaining(['200', '400', '404'])]);
    }
    expect(Object.keys(doc.paths['/api/governance/heimdall/checks'].get.responses)).toEqual(expect.arrayContaining(['200', '400']));
    const params = (p: string) => doc.paths[p].get.parameters.map((x: { name: string }) => x.name);
    expect(params('/api/governance/audit')).toEqual(expect.arrayContaining(['subject', 'action', 'principal', 'principal_token_id', 'since', 'until', 'before', 'limit']));
    expect(params('/api/governance/risk/events')).toContain('correlation_id');
    expect(params('/api/governance/regression/events')).toContain('target_engine');
    expect(params('/api/governance/heimdall/checks')).toEqual(expect.arrayContaining(['domain', 'outcome', 'prod_eligible', 'recommendation_id', 'correlation_id', 'kind']));
    expect(Object.keys(doc.components.schemas.AuditEntryDto.properties)).toEqual(expect.arrayContaining(['principal_token_id', 'actor_label']));
  });
});
