import { capViolations, engineName, halfApplied, isolatedDay, ledgerMismatches } from './support/factories/risk.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const R = '/api/governance/risk';
const CONCURRENT = 500;

/**
 * Real concurrency over real HTTP: 500 check-and-reserve calls in flight at once against caps that
 * admit exactly K of them. Exactly K must be admitted, every other one denied 403 with the binding
 * cap's code, nothing else (no 5xx, no deadlock), and the ledger must equal the reservations.
 */
describe('risk guard under concurrency', () => {
  let t: TestApp;
  let operator: string;
  let engineToken: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { DB_POOL_SIZE: '20' } });
    [operator, engineToken] = await Promise.all([t.token('operator'), t.token('engine')]);
  });
  afterAll(() => t.close());

  const upsert = async (body: Record<string, unknown>) => expect((await t.http('POST', `${R}/policies/upsert`, body, { token: operator })).status).toBe(200);
  const fire = (engines: string[], tag: string) =>
    Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        t.http('POST', `${R}/check-and-reserve`, { engine: engines[i % engines.length], amount: 1, correlation_id: `${tag}-${i}` }, { token: engineToken }),
      ),
    );
  const tally = (results: Array<{ status: number; body: any }>) => {
    const byStatus = new Map<number, number>();
    const codes = new Map<string, number>();
    for (const r of results) {
      byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      if (r.status === 403) codes.set(JSON.stringify(r.body.reason_codes), (codes.get(JSON.stringify(r.body.reason_codes)) ?? 0) + 1);
    }
    return { byStatus: Object.fromEntries(byStatus), codes: Object.fromEntries(codes) };
  };

  it(`one engine whose cap admits exactly K of ${CONCURRENT} concurrent calls: exactly K succeed`, async () => {
    t.clock.set(isolatedDay());
    const engine = engineName('HOT');
    const K = 137;
    await upsert({ engine: 'GLOBAL', max_daily_exposure: null, max_open_risk: null, max_daily_loss: null });
    await upsert({ engine, max_daily_exposure: String(K), max_open_risk: null, max_daily_loss: null });

    const results = await fire([engine], engine);
    expect(tally(results)).toEqual({ byStatus: { 201: K, 403: CONCURRENT - K }, codes: { '["engine_exposure_cap"]': CONCURRENT - K } });
    const [row] = await t.sql(`SELECT exposure_used::text, actions_count::int, denials_count::int FROM risk_ledger_day WHERE engine = $1`, [engine]);
    expect(row).toEqual({ exposure_used: String(K), actions_count: K, denials_count: CONCURRENT - K });
    expect(await ledgerMismatches(t.sql)).toEqual([]);
    expect(await capViolations(t.sql)).toEqual([]);
    expect(await halfApplied(t.sql)).toEqual([]);
  });

  it('many engines sharing GLOBAL, GLOBAL the binding cap: exactly K succeed across all of them', async () => {
    t.clock.set(isolatedDay());
    const engines = Array.from({ length: 16 }, () => engineName('SPREAD'));
    const K = 211;
    await upsert({ engine: 'GLOBAL', max_daily_exposure: null, max_open_risk: String(K), max_daily_loss: null });
    for (const engine of engines) await upsert({ engine, max_daily_exposure: '100', max_open_risk: '100', max_daily_loss: null });

    const results = await fire(engines, engines[0]);
    expect(tally(results)).toEqual({ byStatus: { 201: K, 403: CONCURRENT - K }, codes: { '["global_open_risk_cap"]': CONCURRENT - K } });
    const [global] = await t.sql(`SELECT open_risk_reserved::text, actions_count::int FROM risk_ledger_day WHERE engine = 'GLOBAL' AND day = $1::date`, [
      t.clock.now().toISOString().slice(0, 10),
    ]);
    expect(global).toEqual({ open_risk_reserved: String(K), actions_count: K });
    expect(await ledgerMismatches(t.sql)).toEqual([]);
    expect(await capViolations(t.sql)).toEqual([]);

    // Settling everything concurrently, twice over — once by reservation_id, once by correlation_id, so the two
    // requests for one reservation can land in the same batch — releases exactly what was reserved, once.
    const admitted = results.filter((r) => r.status === 201).map((r) => r.body as { reservation_id: string; correlation_id: string });
    const settles = await Promise.all(
      admitted.flatMap((a) => [
        t.http('POST', `${R}/settle`, { reservation_id: a.reservation_id, realized_loss: '0.25' }, { token: engineToken }),
        t.http('POST', `${R}/settle`, { correlation_id: a.correlation_id, realized_loss: 0.25 }, { token: engineToken }),
      ]),
    );
    expect(settles.map((s) => s.status).filter((s) => s !== 200)).toEqual([]);
    expect(settles.filter((s) => s.body.idempotent_replay).length).toBe(admitted.length);
    const [after] = await t.sql(`SELECT trim_scale(open_risk_reserved)::text AS open_risk_reserved, trim_scale(realized_loss)::text AS realized_loss FROM risk_ledger_day WHERE engine = 'GLOBAL' AND day = $1::date`, [
      t.clock.now().toISOString().slice(0, 10),
    ]);
    expect(after).toEqual({ open_risk_reserved: '0', realized_loss: (K * 0.25).toFixed(2) });
    expect(await ledgerMismatches(t.sql)).toEqual([]);
    expect(await halfApplied(t.sql)).toEqual([]);
  });

  it('concurrent retries of the same key reserve once and all get the same answer', async () => {
    t.clock.set(isolatedDay());
    const engine = engineName('RETRY');
    await upsert({ engine: 'GLOBAL', max_daily_exposure: null, max_open_risk: null, max_daily_loss: null });
    await upsert({ engine, max_daily_exposure: '1000', max_open_risk: null, max_daily_loss: null });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.http('POST', `${R}/check-and-reserve`, { engine, amount: i % 10 === 9 ? 2 : 1, correlation_id: `${engine}-same` }, { token: engineToken }),
      ),
    );
    const ok = results.filter((r) => r.status === 201);
    const conflicts = results.filter((r) => r.status === 409);
    expect(ok.length + conflicts.length).toBe(50);
    expect(new Set(ok.map((r) => r.body.reservation_id)).size).toBe(1);
    expect(ok.filter((r) => !r.body.idempotent_replay)).toHaveLength(1);
    expect(await t.sql(`SELECT count(*)::int AS n FROM risk_reservation WHERE engine = $1`, [engine])).toEqual([{ n: 1 }]);
    expect(await ledgerMismatches(t.sql)).toEqual([]);
  });
});
