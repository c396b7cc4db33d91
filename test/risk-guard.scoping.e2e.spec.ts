import { expectLedgerExactAfterEach, riskScenario, engineName, isolatedDay } from './support/factories/risk.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const R = '/api/governance/risk';

/** Idempotency keys are scoped per engine (issue 8, item 5). */
describe('risk idempotency keys are scoped per engine', () => {
  let t: TestApp;
  let operator: string;

  beforeAll(async () => {
    t = await startTestApp();
    operator = await t.token('operator');
  });
  afterAll(() => t.close());
  expectLedgerExactAfterEach(() => t);

  async function twoEngines() {
    const { engines, tokens } = await riskScenario(t, operator, { count: 2, prefix: 'S', boundTokens: true });
    return { a: engines[0], b: engines[1], ta: tokens[0], tb: tokens[1] };
  }
  const reserve = (token: string, body: Record<string, unknown>) => t.http('POST', `${R}/check-and-reserve`, body, { token });

  it('the same key under two engines is two requests: each gets its own reservation, no 409', async () => {
    const { a, b, ta, tb } = await twoEngines();
    const key = `shared-${a}`;
    const first = await reserve(ta, { engine: a, amount: 5, correlation_id: key });
    expect(first.status).toBe(201);
    // Another engine, another body, same key: before the fix this was 409 with A's reservation id.
    const second = await reserve(tb, { engine: b, amount: 7, correlation_id: key });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ engine: b, amount: '7', correlation_id: key, idempotent_replay: false });
    expect(second.body.reservation_id).not.toBe(first.body.reservation_id);
    // Each engine's retry is its own replay.
    expect((await reserve(ta, { engine: a, amount: 5, correlation_id: key })).body).toMatchObject({ reservation_id: first.body.reservation_id, idempotent_replay: true });
    expect((await reserve(tb, { engine: b, amount: 7, correlation_id: key })).body).toMatchObject({ reservation_id: second.body.reservation_id, idempotent_replay: true });
    const rows = await t.sql(`SELECT engine, trim_scale(amount)::text AS amount FROM risk_reservation WHERE correlation_id = $1 ORDER BY engine`, [key]);
    expect(rows).toEqual([
      { engine: a, amount: '5' },
      { engine: b, amount: '7' },
    ]);
  });

  it('within one engine, another body under a used key is 409 and reveals nothing of the original request', async () => {
    const { a, ta } = await twoEngines();
    const key = `k-${a}`;
    const first = await reserve(ta, { engine: a, amount: 5, correlation_id: key, reason: 'secret-reason' });
    expect(first.status).toBe(201);
    const conflict = await reserve(ta, { engine: a, amount: 6, correlation_id: key });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toBe('idempotency_conflict');
    const text = JSON.stringify(conflict.body);
    expect(text).not.toContain(first.body.reservation_id);
    expect(text).not.toContain('allowed');
    expect(text).not.toContain('secret-reason');
    expect(conflict.body.details).toEqual({ correlation_id: key, engine: a });
    // A denied original is not revealed either.
    const tiny = engineName('C');
    await t.http('POST', `${R}/policies/upsert`, { engine: tiny, max_daily_exposure: '1', max_open_risk: '1', max_daily_loss: '1' }, { token: operator });
    expect((await reserve(operator, { engine: tiny, amount: 5, correlation_id: `d-${tiny}` })).status).toBe(403);
    const deniedConflict = await reserve(operator, { engine: tiny, amount: 4, correlation_id: `d-${tiny}` });
    expect(deniedConflict.status).toBe(409);
    expect(JSON.stringify(deniedConflict.body)).not.toMatch(/denied|exposure_cap|reason_codes/);
  });

  it('settle and void by correlation_id resolve within the caller\'s engine', async () => {
    const { a, b, ta, tb } = await twoEngines();
    const key = `s-${a}`;
    const ra = await reserve(ta, { engine: a, amount: 5, correlation_id: key });
    const rb = await reserve(tb, { engine: b, amount: 8, correlation_id: key });
    expect([ra.status, rb.status]).toEqual([201, 201]);

    // A token bound to one engine: its engine is the scope.
    const sb = await t.http('POST', `${R}/settle`, { correlation_id: key, realized_loss: 1 }, { token: tb });
    expect(sb.status).toBe(200);
    expect(sb.body.reservation).toMatchObject({ id: rb.body.reservation_id, engine: b, realized_loss: '1' });
    // Naming another engine than the token's: 403, and A's reservation is untouched.
    const cross = await t.http('POST', `${R}/settle`, { correlation_id: key, engine: a, realized_loss: 0 }, { token: tb });
    expect([cross.status, cross.body.error]).toEqual([403, 'engine_not_bound']);

    // An unbound caller: the key names two reservations, so it must say which engine.
    const ambiguous = await t.http('POST', `${R}/void`, { correlation_id: key, reason: 'which one?' }, { token: operator });
    expect([ambiguous.status, ambiguous.body.error]).toEqual([400, 'engine_required']);
    expect(JSON.stringify(ambiguous.body)).not.toContain(ra.body.reservation_id);
    const voided = await t.http('POST', `${R}/void`, { correlation_id: key, engine: a, reason: 'abandoned' }, { token: operator });
    expect(voided.status).toBe(200);
    expect(voided.body.reservation).toMatchObject({ id: ra.body.reservation_id, engine: a, status: 'voided' });

    // A key only another engine used is not found for a bound token (nothing revealed).
    const onlyB = `only-${b}`;
    expect((await reserve(tb, { engine: b, amount: 1, correlation_id: onlyB })).status).toBe(201);
    const probe = await t.http('POST', `${R}/settle`, { correlation_id: onlyB, realized_loss: 0 }, { token: ta });
    expect([probe.status, probe.body.error]).toEqual([404, 'reservation_not_found']);
    // By id with the wrong engine named: not found either.
    const wrong = await t.http('POST', `${R}/settle`, { reservation_id: ra.body.reservation_id, engine: b, realized_loss: 0 }, { token: operator });
    expect(wrong.status).toBe(404);
  });

  it('300 concurrent calls with one key on one engine make one reservation', async () => {
    const { a, ta } = await twoEngines();
    const key = `same-${a}`;
    const results = await Promise.all(Array.from({ length: 300 }, () => reserve(ta, { engine: a, amount: 1, correlation_id: key })));
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => r.body.reservation_id)).size).toBe(1);
    expect(results.filter((r) => !r.body.idempotent_replay)).toHaveLength(1);
    const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM risk_reservation WHERE correlation_id = $1`, [key]);
    expect(n).toBe(1);
  });

  it('the example engine POST /api/deals: a reused key with another counterparty or amount is 409', async () => {
    t.clock.set(isolatedDay());
    const body = { counterparty: 'ACME', amount: '10', correlation_id: `deal-scope-${Date.now()}` };
    const first = await t.http('POST', '/api/deals', body, { token: operator });
    expect(first.status).toBe(201);
    for (const changed of [{ counterparty: 'EVIL' }, { amount: '11' }, { realized_loss: '1' }]) {
      const res = await t.http('POST', '/api/deals', { ...body, ...changed }, { token: operator });
      expect({ changed, status: res.status, error: res.body.error }).toEqual({ changed, status: 409, error: 'idempotency_conflict' });
    }
    expect((await t.http('POST', '/api/deals', body, { token: operator })).body.id).toBe(first.body.id);
    const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM deal WHERE correlation_id = $1`, [body.correlation_id]);
    expect(n).toBe(1);
  });
});
