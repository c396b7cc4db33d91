import { expectLedgerExactAfterEach, riskScenario, engineName } from './support/factories/risk.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const R = '/api/governance/risk';

/** A settle books at most amount x max_loss_multiple; the rest is an operator's audited adjustment (issue 8, item 6). */
describe('risk loss bound and operator adjustments', () => {
  let t: TestApp;
  let operator: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp();
    [operator, viewer] = await Promise.all([t.token('operator'), t.token('viewer')]);
  });
  afterAll(() => t.close());
  expectLedgerExactAfterEach(() => t);

  /** A fresh day, GLOBAL with a loss cap, and fresh engines with their bound tokens. */
  const scenario = (global: Record<string, unknown> = {}, caps: Record<string, unknown> = {}, count = 2) =>
    riskScenario(t, operator, {
      global: { max_daily_loss: '250', max_loss_multiple: '1', ...global },
      caps: { max_daily_exposure: '1000', max_open_risk: '1000', max_daily_loss: '200', ...caps },
      count,
      prefix: 'L',
      boundTokens: true,
    });
  const reserve = (token: string, engine: string, amount: unknown, cid: string) =>
    t.http('POST', `${R}/check-and-reserve`, { engine, amount, correlation_id: cid }, { token });
  const ledger = async () => (await t.http('GET', `${R}/ledger/today`, undefined, { token: viewer })).body;
  const row = async (engine: string) => (await ledger()).engines.find((e: any) => e.engine === engine);
  const adjust = (body: Record<string, unknown>, token = operator) => t.http('POST', `${R}/adjust`, body, { token });

  it('the attack: reserve 1, settle 999999999999999 -> 422, nothing changes, GLOBAL unaffected, others still admitted', async () => {
    const { engines: [attacker, other], tokens: [ta, tb] } = await scenario();
    const r = await reserve(ta, attacker, 1, `atk-${attacker}`);
    expect(r.status).toBe(201);
    const globalBefore = (await row('GLOBAL')).usage;

    const attack = await t.http('POST', `${R}/settle`, { reservation_id: r.body.reservation_id, realized_loss: '999999999999999' }, { token: ta });
    expect(attack.status).toBe(422);
    expect(attack.body).toMatchObject({ error: 'loss_exceeds_reservation', reason_codes: ['loss_exceeds_reservation'] });
    expect(attack.body.details).toMatchObject({ amount: '1', max_loss: '1', realized_loss: '999999999999999' });
    // By correlation_id too (the token's engine is the scope).
    expect((await t.http('POST', `${R}/settle`, { correlation_id: `atk-${attacker}`, realized_loss: '1.0001' }, { token: ta })).status).toBe(422);

    expect((await row('GLOBAL')).usage).toEqual(globalBefore);
    const [res] = await t.sql(`SELECT status, realized_loss FROM risk_reservation WHERE id = $1`, [r.body.reservation_id]);
    expect(res).toEqual({ status: 'reserved', realized_loss: null });
    // The refused attempts are on record (no effect without its record).
    const refused = await t.sql(`SELECT outcome, reason_codes, trim_scale(realized_loss)::text AS loss FROM risk_event WHERE reservation_id = $1 AND kind = 'settle' ORDER BY id`, [
      r.body.reservation_id,
    ]);
    expect(refused).toEqual([
      { outcome: 'refused', reason_codes: ['loss_exceeds_reservation'], loss: '999999999999999' },
      { outcome: 'refused', reason_codes: ['loss_exceeds_reservation'], loss: '1.0001' },
    ]);

    // Every engine is still admitted, and the attacker's own reservation still settles within the bound.
    expect((await reserve(tb, other, 5, `ok-${other}`)).status).toBe(201);
    const fair = await t.http('POST', `${R}/settle`, { reservation_id: r.body.reservation_id, realized_loss: '1' }, { token: ta });
    expect(fair.status).toBe(200);
    expect(fair.body.ledger.global.realized_loss).toBe('1');
  });

  it('max_loss_multiple is a policy field (default 1, > 0), shown in GET policies; the lower of engine and GLOBAL applies', async () => {
    const { engines: [engine], tokens: [token] } = await scenario({}, {}, 1);
    const policies = (await t.http('GET', `${R}/policies`, undefined, { token: viewer })).body;
    expect(policies.find((p: any) => p.engine === engine).max_loss_multiple).toBe('1');
    for (const bad of [0, '0', -1, 'x', null]) {
      const res = await t.http('POST', `${R}/policies/upsert`, { engine, max_loss_multiple: bad }, { token: operator });
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
    }
    expect((await t.http('POST', `${R}/policies/upsert`, { engine, max_loss_multiple: '3' }, { token: operator })).body.max_loss_multiple).toBe('3');
    // GLOBAL still says 1: the lower applies.
    const r1 = await reserve(token, engine, 10, `m1-${engine}`);
    expect((await t.http('POST', `${R}/settle`, { reservation_id: r1.body.reservation_id, realized_loss: 11 }, { token })).status).toBe(422);
    await t.http('POST', `${R}/policies/upsert`, { engine: 'GLOBAL', max_loss_multiple: '2.5' }, { token: operator });
    expect((await t.http('POST', `${R}/settle`, { reservation_id: r1.body.reservation_id, realized_loss: '25.0001' }, { token })).status).toBe(422);
    const ok = await t.http('POST', `${R}/settle`, { reservation_id: r1.body.reservation_id, realized_loss: 25 }, { token });
    expect(ok.status).toBe(200);
    expect(ok.body.reservation.realized_loss).toBe('25');
  });

  it('an operator adjustment moves the engine and GLOBAL rows, and the cap math follows; a negative one corrects', async () => {
    const { engines: [engine, other], tokens: [token, otherToken] } = await scenario({ max_daily_loss: '100' }, { max_daily_loss: '50' });
    const r = await reserve(token, engine, 10, `a-${engine}`);
    await t.http('POST', `${R}/settle`, { reservation_id: r.body.reservation_id, realized_loss: 10 }, { token });

    // The real loss was 60: the operator books the 50 a settle could not.
    const up = await adjust({ engine, realized_loss_delta: 50, reason: 'counterparty default beyond the reservation', correlation_id: `adj-${engine}-1` });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({
      idempotent_replay: false,
      adjustment: { engine, realized_loss_delta: '50', reason: 'counterparty default beyond the reservation', correlation_id: `adj-${engine}-1` },
      ledger: { engine: { realized_loss: '60' }, global: { realized_loss: '60' } },
    });
    // The engine's loss cap (50) is reached: it is denied; another engine is still admitted (GLOBAL 60 < 100).
    const denied = await reserve(token, engine, 1, `a-${engine}-2`);
    expect([denied.status, denied.body.reason_codes]).toEqual([403, ['engine_loss_cap']]);
    expect((await reserve(otherToken, other, 1, `a-${other}-1`)).status).toBe(201);
    // GLOBAL reaches its cap by another adjustment: everyone is denied.
    expect((await adjust({ engine: other, realized_loss_delta: '40', reason: 'late fee', correlation_id: `adj-${other}-1` })).status).toBe(201);
    expect((await reserve(otherToken, other, 1, `a-${other}-2`)).body.reason_codes).toEqual(['global_loss_cap']);

    // A wrong entry is corrected by a negative one (never by editing): the caps admit again.
    const down = await adjust({ engine, realized_loss_delta: '-55', reason: 'the default was partly recovered', correlation_id: `adj-${engine}-2` });
    expect(down.status).toBe(201);
    expect(down.body.ledger).toMatchObject({ engine: { realized_loss: '5' }, global: { realized_loss: '45' } });
    expect((await reserve(token, engine, 1, `a-${engine}-3`)).status).toBe(201);

    // The ledger shows the adjustments.
    const today = await ledger();
    expect(today.engines.find((e: any) => e.engine === engine).adjustments).toEqual({ count: 2, realized_loss_delta: '-5' });
    expect(today.engines.find((e: any) => e.engine === 'GLOBAL').adjustments).toEqual({ count: 3, realized_loss_delta: '35' });
    expect(today.adjustments.map((a: any) => [a.engine, a.realized_loss_delta])).toEqual([
      [engine, '50'],
      [other, '40'],
      [engine, '-55'],
    ]);

    // Audited, append-only.
    const audit = await t.sql(`SELECT action, subject, reason, details FROM audit_log WHERE action = 'risk.adjust' AND subject LIKE $1 ORDER BY id`, [`%:${engine}`]);
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ reason: 'counterparty default beyond the reservation', details: { realized_loss_delta: '50', before: { engine: '10' }, after: { engine: '60' } } });
    await expect(t.sql(`UPDATE risk_adjustment SET realized_loss_delta = 1`)).rejects.toThrow(/append-only/);
    await expect(t.sql(`DELETE FROM risk_adjustment`)).rejects.toThrow(/append-only/);
  });

  it('adjustments are idempotent by (engine, correlation_id); a past day can be corrected; never below 0', async () => {
    const { engines: [engine] } = await scenario({}, {}, 1);
    const day = new Date(t.clock.now().getTime() - 86_400_000).toISOString().slice(0, 10);
    const body = { engine, day, realized_loss_delta: '7.25', reason: 'yesterday: late-booked loss', correlation_id: `adj-${engine}` };
    const first = await adjust(body);
    expect(first.status).toBe(201);
    expect(first.body.adjustment.day).toBe(day);
    const again = await adjust(body);
    expect(again.body).toMatchObject({ idempotent_replay: true, adjustment: { id: first.body.adjustment.id } });
    const conflict = await adjust({ ...body, realized_loss_delta: '8' });
    expect([conflict.status, conflict.body.error]).toEqual([409, 'idempotency_conflict']);
    expect(conflict.body.details).toEqual({ correlation_id: `adj-${engine}`, engine });
    const [{ loss }] = await t.sql(`SELECT trim_scale(realized_loss)::text AS loss FROM risk_ledger_day WHERE day = $1::date AND engine = $2`, [day, engine]);
    expect(loss).toBe('7.25');

    const below = await adjust({ engine, day, realized_loss_delta: '-7.2501', reason: 'too much', correlation_id: `adj-${engine}-neg` });
    expect([below.status, below.body.error]).toEqual([422, 'loss_below_zero']);
    const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM risk_adjustment WHERE engine = $1`, [engine]);
    expect(n).toBe(1);
    // The refused key was not consumed.
    expect((await adjust({ engine, day, realized_loss_delta: '-7.25', reason: 'recovered', correlation_id: `adj-${engine}-neg` })).status).toBe(201);
  });

  it('an engine token cannot adjust (403); bad input is 400 and changes nothing', async () => {
    const { engines: [engine], tokens: [token] } = await scenario({}, {}, 1);
    const count = async () =>
      (
        await t.sql(`SELECT (SELECT count(*) FROM risk_adjustment)::int AS adjustments, (SELECT count(*) FROM audit_log WHERE action = 'risk.adjust')::int AS audit,
                            (SELECT coalesce(sum(realized_loss), 0)::text FROM risk_ledger_day) AS loss`)
      )[0];
    const before = await count();
    const forbidden = await adjust({ engine, realized_loss_delta: '-1', reason: 'mine', correlation_id: 'e1' }, token);
    expect(forbidden.status).toBe(403);
    const tomorrow = new Date(t.clock.now().getTime() + 86_400_000).toISOString().slice(0, 10);
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ engine, realized_loss_delta: 1, correlation_id: 'b1' }, 400, 'validation_failed'],
      [{ engine, realized_loss_delta: 1, reason: '   ', correlation_id: 'b2' }, 400, 'validation_failed'],
      [{ engine, realized_loss_delta: 0, reason: 'r', correlation_id: 'b3' }, 400, 'validation_failed'],
      [{ engine, realized_loss_delta: '1e3', reason: 'r', correlation_id: 'b4' }, 400, 'validation_failed'],
      [{ engine, realized_loss_delta: '1.00001', reason: 'r', correlation_id: 'b5' }, 400, 'validation_failed'],
      [{ engine, realized_loss_delta: '--1', reason: 'r', correlation_id: 'b6' }, 400, 'validation_failed'],
      [{ engine, reason: 'r', correlation_id: 'b7' }, 400, 'validation_failed'],
      [{ engine, realized_loss_delta: 1, reason: 'r' }, 400, 'correlation_id_required'],
      [{ engine, realized_loss_delta: 1, reason: 'r', correlation_id: 'has space' }, 400, 'validation_failed'],
      [{ engine, realized_loss_delta: 1, reason: 'r', correlation_id: 'b8', day: '2025-02-30' }, 400, 'validation_failed'],
      [{ engine, realized_loss_delta: 1, reason: 'r', correlation_id: 'b9', day: tomorrow }, 400, 'validation_failed'],
      [{ engine: 'GLOBAL', realized_loss_delta: 1, reason: 'r', correlation_id: 'b10' }, 400, 'validation_failed'],
      [{ engine: engineName('NOPOLICY'), realized_loss_delta: 1, reason: 'r', correlation_id: 'b11' }, 404, 'policy_not_found'],
      [{ engine, realized_loss_delta: 1, reason: 'r', correlation_id: 'b12', extra: true }, 400, 'validation_failed'],
    ];
    for (const [body, status, error] of cases) {
      const res = await adjust(body);
      expect({ body, status: res.status, error: res.body.error }).toEqual({ body, status, error });
    }
    expect(await count()).toEqual(before);
  });
});
