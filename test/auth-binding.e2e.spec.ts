import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Engine bindings over HTTP (docs/auth.md, "Bindings"): the README's own example token
 * (`engines:["WHOLESALE"]`) reaches nothing outside WHOLESALE — not the CAPITAL/roi_event
 * KILL_SWITCH tripwire (neither feeding nor evaluating it), not a CAPITAL_ROUTE Heimdall domain —
 * and every denial stores nothing. Bindings on roles that are never bound are refused.
 */
describe('auth: how an engine binding covers engines, domains and tripwires', () => {
  let t: TestApp;
  let operator: string;
  let readme: string; // {"role":"engine","engines":["WHOLESALE"]}
  let n = 0;

  const R = '/api/governance/regression';
  const H = '/api/governance/heimdall';
  const fresh = (prefix: string) => `${prefix}_${(n++).toString(36).toUpperCase()}_${randomBytes(3).toString('hex').toUpperCase()}`;

  beforeAll(async () => {
    t = await startTestApp();
    operator = await t.token('operator');
    readme = await t.token('engine', { engines: ['WHOLESALE'] });
    // Enabled, as in the attack: evaluation would fire it.
    const on = await t.http('POST', `${R}/policies/upsert`, { domain: 'CAPITAL', metric: 'roi_event', enabled: true, reason: 'attack drill' }, { token: operator });
    expect(on.body).toMatchObject({ action: 'KILL_SWITCH', target_engine: 'CAPITAL' });
  });
  afterAll(() => t.close());

  const count = async (sql: string, params: unknown[] = []) => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n;
  const kpiCount = (domain: string, metric?: string) =>
    count(`kpi_event WHERE domain = $1 AND ($2::text IS NULL OR metric = $2)`, [domain, metric ?? null]);
  const kpi = (body: unknown, token: string) => t.http('POST', `${R}/kpi`, body, { token });
  const evaluate = (domain: string, metric: string, token: string) => t.http('POST', `${R}/evaluate?domain=${domain}&metric=${metric}`, undefined, { token });
  const roi = (mean: number, k: number) => Array.from({ length: k }, (_, i) => ({ domain: 'CAPITAL', metric: 'roi_event', value: mean * (1 + ((i % 5) - 2) * 0.1) }));
  const killSwitch = async () => (await t.http('GET', '/api/governance/go-live/state', undefined, { token: operator })).body.kill_switch_engaged;
  const denied = (res: { status: number; body: { error: string } }) => [res.status, res.body.error];

  describe('the README token (engines: ["WHOLESALE"])', () => {
    it('cannot feed CAPITAL/roi_event: single and batch refused whole, nothing stored', async () => {
      const before = [await kpiCount('CAPITAL'), await kpiCount('WHOLESALE', 'contract_rate'), await count(`kpi_stream WHERE domain = 'CAPITAL'`)];
      const single = await kpi({ domain: 'CAPITAL', metric: 'roi_event', value: 0.1 }, readme);
      expect(denied(single)).toEqual([403, 'domain_not_bound']);
      expect(single.body.message).toMatch(/kill switch/);
      // The attack: 250 events. One covered stream beside them does not help: all or nothing.
      const batch = await kpi({ events: [{ domain: 'WHOLESALE', metric: 'contract_rate', success: true }, ...roi(0.12, 249)] }, readme);
      expect(denied(batch)).toEqual([403, 'domain_not_bound']);
      expect([await kpiCount('CAPITAL'), await kpiCount('WHOLESALE', 'contract_rate'), await count(`kpi_stream WHERE domain = 'CAPITAL'`)]).toEqual(before);
    });

    it('cannot evaluate CAPITAL/roi_event: no state written, the kill switch stays released', async () => {
      // The stream is fed by an operator (the tripwire has enough data to fire).
      expect((await kpi({ events: [...roi(0.12, 200), ...roi(0.04, 50)] }, operator)).status).toBe(201);
      const res = await evaluate('CAPITAL', 'roi_event', readme);
      expect(denied(res)).toEqual([403, 'domain_not_bound']);
      expect(await count(`regression_state WHERE domain = 'CAPITAL'`)).toBe(0);
      expect(await count(`regression_event WHERE domain = 'CAPITAL'`)).toBe(0);
      expect(await killSwitch()).toBe(false);
    });

    it('cannot record a CAPITAL_ROUTE trial nor recommend for it; nothing stored', async () => {
      const stored = async () => [await count(`heimdall_trial`), await count(`heimdall_scorecard_day`), await count(`heimdall_recommendation`)];
      const before = await stored();
      const trial = await t.http('POST', `${H}/sandbox/trial`, { domain: 'CAPITAL_ROUTE', success: true, confidence: 0.99 }, { token: readme });
      expect(denied(trial)).toEqual([403, 'domain_not_bound']);
      const rec = await t.http('POST', `${H}/recommend`, { domain: 'CAPITAL_ROUTE', confidence: 0.99 }, { token: readme });
      expect(denied(rec)).toEqual([403, 'domain_not_bound']);
      // Its engine's name is not a Heimdall domain binding either.
      const own = await t.http('POST', `${H}/sandbox/trial`, { domain: 'WHOLESALE_OFFER', success: true, confidence: 0.99 }, { token: readme });
      expect(denied(own)).toEqual([403, 'domain_not_bound']);
      expect(await stored()).toEqual(before);
    });

    it('cannot require production eligibility of a CAPITAL_ROUTE recommendation; the check is not recorded', async () => {
      const rec = await t.http('POST', `${H}/recommend`, { domain: 'CAPITAL_ROUTE', confidence: 0.99 }, { token: operator });
      expect(rec.status).toBe(201);
      const res = await t.http('POST', `${H}/recommendations/${rec.body.id}/require-prod-eligible`, {}, { token: readme });
      expect(denied(res)).toEqual([403, 'domain_not_bound']);
      expect(await count(`heimdall_event WHERE recommendation_id = $1 AND kind = 'recommendation.checked'`, [rec.body.id])).toBe(0);
    });

    it('cannot reserve for CAPITAL', async () => {
      const res = await t.http('POST', '/api/governance/risk/check-and-reserve', { engine: 'CAPITAL', amount: '1', correlation_id: fresh('cap') }, { token: readme });
      expect(denied(res)).toEqual([403, 'engine_not_bound']);
      expect(await count(`risk_reservation WHERE engine = 'CAPITAL'`)).toBe(0);
    });

    it('feeds and evaluates its own engine\'s THROTTLE tripwire, and streams named after its engine', async () => {
      const events = Array.from({ length: 3 }, (_, i) => ({ domain: 'WHOLESALE', metric: 'contract_rate', success: i > 0 }));
      expect((await kpi({ events }, readme)).status).toBe(201);
      expect((await kpi({ domain: 'WHOLESALE', metric: fresh('m').toLowerCase(), success: true }, readme)).status).toBe(201);
      const res = await evaluate('WHOLESALE', 'contract_rate', readme);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'disabled', action: { type: 'THROTTLE', target_engine: 'WHOLESALE' } });
    });

    it('cannot feed or evaluate a tripwire that throttles another engine', async () => {
      const res = await kpi({ domain: 'BUYER_MATCH', metric: 'match_success', success: true }, readme);
      expect(denied(res)).toEqual([403, 'engine_not_bound']);
      expect(denied(await evaluate('BUYER_MATCH', 'match_success', readme))).toEqual([403, 'engine_not_bound']);
      // A stream with no tripwire yet: its default target is its own domain.
      const other = fresh('OTHER');
      expect(denied(await kpi({ domain: other, metric: 'x', success: true }, readme))).toEqual([403, 'engine_not_bound']);
      // A tripwire on WHOLESALE's data that throttles someone else.
      const metric = fresh('m').toLowerCase();
      await t.http('POST', `${R}/policies/upsert`, { domain: 'WHOLESALE', metric, max_drop_fraction: 0.2, action: 'THROTTLE', target_engine: 'CAPITAL', reason: 't' }, { token: operator });
      expect(denied(await kpi({ domain: 'WHOLESALE', metric, success: true }, readme))).toEqual([403, 'engine_not_bound']);
      expect(await kpiCount('BUYER_MATCH')).toBe(0);
      expect(await kpiCount(other)).toBe(0);
      expect(await kpiCount('WHOLESALE', metric)).toBe(0);
      expect(await count(`regression_state WHERE domain = 'BUYER_MATCH'`)).toBe(0);
    });
  });

  describe('explicit domain bindings, unbound and domain-only tokens', () => {
    it('a token bound to domain CAPITAL may feed its KILL_SWITCH tripwire, but evaluating it is an operator\'s call', async () => {
      const capital = await t.token('engine', { engines: ['CAPITAL'], domains: ['CAPITAL'] });
      expect((await kpi({ domain: 'CAPITAL', metric: 'roi_event', value: 0.04 }, capital)).status).toBe(201);
      const res = await evaluate('CAPITAL', 'roi_event', capital);
      expect(denied(res)).toEqual([403, 'forbidden']);
      expect(res.body.message).toMatch(/operator/);
      expect(await count(`regression_state WHERE domain = 'CAPITAL'`)).toBe(0);
      expect(await killSwitch()).toBe(false);
    });

    it('a domain binding covers feeding a THROTTLE of another engine, not evaluating it', async () => {
      const domain = fresh('D');
      await t.http('POST', `${R}/policies/upsert`, { domain, metric: 'rate', max_drop_fraction: 0.2, action: 'THROTTLE', target_engine: 'BUYER_MATCH', reason: 't' }, { token: operator });
      const bound = await t.token('engine', { engines: ['WHOLESALE'], domains: [domain] });
      expect((await kpi({ domain, metric: 'rate', success: true }, bound)).status).toBe(201);
      expect(denied(await evaluate(domain, 'rate', bound))).toEqual([403, 'engine_not_bound']);
      expect((await evaluate(domain, 'rate', operator)).status).toBe(200);
    });

    it('an unbound engine token keeps every engine, but not a KILL_SWITCH tripwire', async () => {
      const unbound = await t.token('engine');
      const before = await kpiCount('CAPITAL');
      expect(denied(await kpi({ domain: 'CAPITAL', metric: 'roi_event', value: 0.1 }, unbound))).toEqual([403, 'domain_not_bound']);
      expect(denied(await evaluate('CAPITAL', 'roi_event', unbound))).toEqual([403, 'domain_not_bound']);
      expect(await kpiCount('CAPITAL')).toBe(before);
      expect((await kpi({ domain: 'BUYER_MATCH', metric: 'match_success', success: true }, unbound)).status).toBe(201);
      expect((await evaluate('BUYER_MATCH', 'match_success', unbound)).status).toBe(200);
      expect((await t.http('POST', `${H}/sandbox/trial`, { domain: 'CAPITAL_ROUTE', success: true, confidence: 0.9 }, { token: unbound })).status).toBe(201);
      expect(await killSwitch()).toBe(false);
    });

    it('a token bound to domains only is bound to no engine: it can neither reserve nor settle', async () => {
      const domainOnly = await t.token('engine', { domains: ['WHOLESALE_OFFER'] });
      const key = fresh('res');
      const reserve = await t.http('POST', '/api/governance/risk/check-and-reserve', { engine: 'WHOLESALE', amount: '1', correlation_id: key }, { token: domainOnly });
      expect(denied(reserve)).toEqual([403, 'engine_not_bound']);
      expect(await count(`risk_reservation WHERE correlation_id = $1`, [key])).toBe(0);
      const held = await t.http('POST', '/api/governance/risk/check-and-reserve', { engine: 'WHOLESALE', amount: '1', correlation_id: key }, { token: readme });
      expect(held.status).toBe(201);
      const settle = await t.http('POST', '/api/governance/risk/settle', { reservation_id: held.body.reservation_id, realized_loss: '0' }, { token: domainOnly });
      expect(denied(settle)).toEqual([403, 'engine_not_bound']);
      const [row] = await t.sql(`SELECT status FROM risk_reservation WHERE correlation_id = $1`, [key]);
      expect(row.status).not.toBe('settled');
      // Its own Heimdall domain works.
      expect((await t.http('POST', `${H}/sandbox/trial`, { domain: 'WHOLESALE_OFFER', success: true, confidence: 0.9 }, { token: domainOnly })).status).toBe(201);
    });
  });

  it('a binding on a viewer, operator or admin token is refused (it would be ignored); nothing stored', async () => {
    for (const role of ['viewer', 'operator', 'admin']) {
      for (const binding of [{ engines: ['WHOLESALE'] }, { domains: ['CAPITAL'] }, { engines: [] }]) {
        const name = fresh('bound').toLowerCase();
        const res = await t.http('POST', '/api/governance/tokens', { name, role, ...binding });
        expect([role, ...denied(res)]).toEqual([role, 400, 'binding_not_allowed']);
        expect(await count(`api_token WHERE name = $1`, [name])).toBe(0);
      }
    }
    await expect(t.sql(`INSERT INTO api_token (name, token_hash, role, engines, created_by) VALUES ('sneaky', 'h', 'operator', '{WHOLESALE}', 'test')`)).rejects.toThrow(
      /ck_api_token_binding_engine_only/,
    );
  });
});
