import { RiskGuardService } from '#risk-guard';
// Tests may reach inside: the policy upsert and the event list are the lever's own services.
import { RiskLedgerService } from '../libs/risk-guard/src/risk-ledger.service.js';
import { RiskPolicyService } from '../libs/risk-guard/src/risk-policy.service.js';
import { SYSTEM_PRINCIPAL, WardenError } from '#platform';
import { engineName, expectLedgerExactAfterEach, RISK, riskScenario, upsertRiskPolicy } from './support/factories/risk.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The risk guard's services against the real database (and the policy upsert's races over HTTP). */
describe('risk guard services', () => {
  let t: TestApp;
  let operator: string;
  let viewer: string;
  let risk: RiskGuardService;
  let policies: RiskPolicyService;
  let ledger: RiskLedgerService;

  beforeAll(async () => {
    t = await startTestApp();
    [operator, viewer] = await Promise.all([t.token('operator'), t.token('viewer')]);
    risk = t.app.get(RiskGuardService);
    policies = t.app.get(RiskPolicyService);
    ledger = t.app.get(RiskLedgerService);
  });
  afterAll(() => t.close());
  expectLedgerExactAfterEach(() => t);

  it('two concurrent creates of the same new engine policy: exactly one risk.policy.create, the other an update', async () => {
    const engine = engineName('RACE');
    const [a, b] = await Promise.all([
      t.http('POST', `${RISK}/policies/upsert`, { engine, max_daily_exposure: '10', max_open_risk: '10', max_daily_loss: '1' }, { token: operator }),
      t.http('POST', `${RISK}/policies/upsert`, { engine, max_daily_exposure: '20', max_open_risk: '20', max_daily_loss: '2' }, { token: operator }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const audit = await t.sql(`SELECT action FROM audit_log WHERE subject = $1 ORDER BY id`, [`risk_policy:${engine}`]);
    expect(audit.map((r) => r.action)).toEqual(['risk.policy.create', 'risk.policy.update']);
  });

  it('a disable racing the create of a new policy serializes with it: one create, then the disable sees it', async () => {
    const engine = engineName('RACE');
    await Promise.all([
      policies.upsertPolicy(SYSTEM_PRINCIPAL, { engine, max_daily_exposure: '10', max_open_risk: '10', max_daily_loss: '1' }),
      risk.disableEngine(SYSTEM_PRINCIPAL, engine, 'tripwire'),
    ]);
    const audit = await t.sql(`SELECT action, details FROM audit_log WHERE subject = $1 ORDER BY id`, [`risk_policy:${engine}`]);
    // Either order is fine; what the lock rules out is two writers that both saw no policy.
    expect([
      ['risk.policy.create', 'risk.policy.disable'],
      ['risk.policy.disable', 'risk.policy.update'],
    ]).toContainEqual(audit.map((r) => r.action));
    expect(audit[1].details.before).not.toBeNull();
    expect(await risk.getPolicy(engine)).toMatchObject({ enabled: false, disabled_reason: 'tripwire' });
  });

  it('the deals example accepts any valid client key (200 characters), namespaced for the risk guard', async () => {
    const engineToken = await t.token('engine');
    const key = 'k'.repeat(200);
    const body = { counterparty: 'acme', amount: '1', correlation_id: key };
    const first = await t.http('POST', '/api/deals', body, { token: engineToken });
    expect(first.status).toBe(201);
    expect(first.body.correlation_id).toBe(key);
    const again = await t.http('POST', '/api/deals', body, { token: engineToken });
    expect(again.body.id).toBe(first.body.id);
    expect((await t.http('POST', '/api/deals', { ...body, correlation_id: 'k'.repeat(201) }, { token: engineToken })).status).toBe(400);
  });

  it('policy_incomplete names every missing money cap in details.fields', async () => {
    const err = await policies.upsertPolicy(SYSTEM_PRINCIPAL, { engine: engineName('INC'), max_open_risk: '1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WardenError);
    expect(err).toMatchObject({ code: 'policy_incomplete', status: 400 });
    expect((err as WardenError).extra.details).toEqual({
      fields: [
        { field: 'max_daily_exposure', problems: ['required for a new policy'] },
        { field: 'max_daily_loss', problems: ['required for a new policy'] },
      ],
    });
  });

  it('reserveOrThrow, whatIf and settle: the in-process integration', async () => {
    const { engines: [engine] } = await riskScenario(t, operator);
    expect(await risk.whatIf({ engine, amount: '100' })).toMatchObject({ allowed: true, reason_codes: [] });
    const r = await risk.reserveOrThrow({ engine, amount: '60', correlationId: `svc-${engine}` });
    expect(r).toMatchObject({ outcome: 'allowed', engine, amount: '60', idempotent_replay: false });
    expect(await risk.reserveOrThrow({ engine, amount: '60', correlationId: `svc-${engine}` })).toMatchObject({ reservation_id: r.reservation_id, idempotent_replay: true });
    expect(await risk.whatIf({ engine, amount: '41' })).toMatchObject({ allowed: false, outcome: 'denied' });
    const s = await risk.settle({ reservationId: r.reservation_id, realizedLoss: '1.5' });
    expect(s).toMatchObject({ outcome: 'settled', reservation: { realized_loss: '1.5' }, ledger: { engine: { open_risk_reserved: '0', realized_loss: '1.5' } } });
    await expect(risk.assertLossWithinBound(engine, '10', '10.01')).rejects.toMatchObject({ code: 'loss_exceeds_reservation', status: 422 });
  });

  it('events: the platform page with since/until over the event time', async () => {
    const { engines: [engine] } = await riskScenario(t, operator);
    const start = t.clock.now();
    for (let i = 0; i < 3; i++) {
      await risk.reserveOrThrow({ engine, amount: '1', correlationId: `ev-${engine}-${i}` });
      t.clock.advance(60_000);
    }
    const all = await ledger.listEvents({ engine, limit: 2 });
    expect(all.items).toHaveLength(2);
    expect(all.next_cursor).toBe(all.items[1].id);
    const rest = await ledger.listEvents({ engine, limit: 2, before: all.next_cursor! });
    expect(rest).toMatchObject({ items: [{ correlation_id: `ev-${engine}-0` }], next_cursor: null });

    const since = new Date(start.getTime() + 60_000).toISOString();
    const until = new Date(start.getTime() + 120_000).toISOString();
    const window = await t.http('GET', `${RISK}/events?engine=${engine}&since=${since}&until=${until}`, undefined, { token: viewer });
    expect(window.status).toBe(200);
    expect(window.body.items.map((e: any) => e.correlation_id)).toEqual([`ev-${engine}-1`]);
    expect((await t.http('GET', `${RISK}/events?since=yesterday`, undefined, { token: viewer })).status).toBe(400);
  });

  it('a disabled engine: getPolicy shows the reason; enable needs an existing policy', async () => {
    const engine = engineName('SW');
    await upsertRiskPolicy(t, operator, { engine, max_daily_exposure: '1', max_open_risk: '1', max_daily_loss: '1' });
    expect(await risk.disableEngine(SYSTEM_PRINCIPAL, engine, 'drill')).toEqual({ changed: true });
    expect(await risk.getPolicy(engine)).toMatchObject({ enabled: false, disabled_reason: 'drill' });
    await expect(risk.enableEngine(SYSTEM_PRINCIPAL, engineName('NONE'), 'x')).rejects.toMatchObject({ code: 'policy_not_found', status: 404 });
  });

  it('OpenAPI: every risk route has its success type and its error answers; nullable fields are typed', async () => {
    const doc = (await t.http('GET', '/docs-json', undefined, { token: null })).body;
    const ops = Object.entries(doc.paths as Record<string, Record<string, any>>)
      .filter(([path]) => path.startsWith(RISK) || path === '/api/deals')
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ route: `${method} ${path}`, op })));
    expect(ops.length).toBeGreaterThanOrEqual(10);
    for (const { route, op } of ops) {
      const ok = op.responses['200'] ?? op.responses['201'];
      expect({ route, success: ok?.content?.['application/json']?.schema !== undefined }).toEqual({ route, success: true });
    }
    const reserve = doc.paths[`${RISK}/check-and-reserve`].post.responses;
    expect(reserve['403'].description).toContain('risk_denied');
    expect(reserve['409'].description).toContain('idempotency_conflict');
    const policy = doc.components.schemas.RiskPolicyResponseDto.properties;
    expect(policy.max_daily_exposure).toMatchObject({ type: 'string', nullable: true });
    expect(policy.max_actions_per_day).toMatchObject({ type: 'integer', nullable: true });
  });
});
