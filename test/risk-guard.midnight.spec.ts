import { DataSource } from 'typeorm';
import { RISK_DAY_CLOSE_JOB } from '#risk-guard';
import { RiskLedgerService } from '../libs/risk-guard/src/risk-ledger.service.js';
import { JobRunner, ManualClock } from '#platform';
import { halfApplied, ledgerMismatches } from './support/factories/risk.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const R = '/api/governance/risk';
const D = '2032-03-10';
const NEXT = '2032-03-11';

/** The clock crosses 00:00 UTC under two instances sharing one database and one (manual) clock. */
describe('risk guard across UTC midnight', () => {
  const clock = new ManualClock(`${D}T23:59:30.000Z`);
  let a: TestApp;
  let b: TestApp;
  let operator: string;
  let engine: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    a = await startTestApp({ clock });
    b = await startTestApp({ clock, databaseUrl: a.databaseUrl });
    [operator, engine] = await Promise.all([a.token('operator'), a.token('engine')]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  const reserve = (t: TestApp, cid: string, amount: number) => t.http('POST', `${R}/check-and-reserve`, { engine: 'MIDNIGHT', amount, correlation_id: cid }, { token: engine });
  const row = async (day: string, scope: string) =>
    (
      await a.sql(
        `SELECT trim_scale(exposure_used)::text AS exposure, trim_scale(open_risk_reserved)::text AS open, trim_scale(realized_loss)::text AS loss, actions_count::int AS actions
           FROM risk_ledger_day WHERE day = $1::date AND engine = $2`,
        [day, scope],
      )
    )[0];

  it('new reservations see a fresh day; an open reservation from the previous day settles onto its own day', async () => {
    await a.http('POST', `${R}/policies/upsert`, { engine: 'GLOBAL', max_daily_exposure: '100', max_open_risk: null, max_daily_loss: null }, { token: operator });
    await a.http('POST', `${R}/policies/upsert`, { engine: 'MIDNIGHT', max_daily_exposure: '100', max_open_risk: null, max_daily_loss: null }, { token: operator });

    const r1 = await reserve(a, 'm-1', 60);
    const r2 = await reserve(b, 'm-2', 40);
    expect([r1.status, r2.status, r1.body.day, r2.body.day]).toEqual([201, 201, D, D]);
    ids.r1 = r1.body.reservation_id;
    const full = await reserve(a, 'm-3', 1);
    expect(full.body.reason_codes).toEqual(['global_exposure_cap', 'engine_exposure_cap']);

    clock.set(`${NEXT}T00:00:30.000Z`);
    const r4 = await reserve(b, 'm-4', 70);
    expect(r4.status).toBe(201);
    expect(r4.body.day).toBe(NEXT);
    const today = (await a.http('GET', `${R}/ledger/today`, undefined, { token: operator })).body;
    expect(today.day).toBe(NEXT);
    expect(today.engines.find((e: any) => e.engine === 'MIDNIGHT').usage).toEqual({ exposure_used: '70', open_risk_reserved: '70', realized_loss: '0', actions_count: 1 });
    expect(today.open_reservations.map((r: any) => `${r.day} ${r.amount}`).sort()).toEqual([`${D} 40`, `${D} 60`, `${NEXT} 70`]);

    const settled = await b.http('POST', `${R}/settle`, { reservation_id: ids.r1, realized_loss: '5' }, { token: engine });
    expect(settled.status).toBe(200);
    expect(settled.body.ledger.day).toBe(D);
    expect(await row(D, 'MIDNIGHT')).toEqual({ exposure: '100', open: '40', loss: '5', actions: 2 });
    expect(await row(D, 'GLOBAL')).toEqual({ exposure: '100', open: '40', loss: '5', actions: 2 });
    expect(await row(NEXT, 'MIDNIGHT')).toEqual({ exposure: '70', open: '70', loss: '0', actions: 1 });
    expect(await row(NEXT, 'GLOBAL')).toEqual({ exposure: '70', open: '70', loss: '0', actions: 1 });
    const [event] = await a.sql(`SELECT day::text FROM risk_event WHERE kind = 'settle' AND reservation_id = $1`, [ids.r1]);
    expect(event.day).toBe(D);
    expect(await ledgerMismatches(a.sql)).toEqual([]);
  });

  it('the close snapshot of the past day is written once even when both instances run the job at once', async () => {
    const outcomes = await Promise.all([a.app.get(JobRunner).runJob(RISK_DAY_CLOSE_JOB), b.app.get(JobRunner).runJob(RISK_DAY_CLOSE_JOB)]);
    const statuses = outcomes.flat().map((o) => o.status).sort();
    expect(statuses.filter((s) => s === 'succeeded')).toHaveLength(1);
    expect(statuses.every((s) => ['succeeded', 'skipped_locked', 'already_done'].includes(s))).toBe(true);
    expect(await a.app.get(JobRunner).runJob(RISK_DAY_CLOSE_JOB)).toEqual([]); // nothing left due
    // Even a direct second write of the same day's snapshot is a no-op (unique per day).
    const again = await a.app.get(DataSource).transaction((m) => a.app.get(RiskLedgerService).closeDay(m, new Date(`${NEXT}T00:00:00.000Z`)));
    expect(again).toBe(false);

    const snapshots = await a.sql(`SELECT day::text, details FROM risk_event WHERE kind = 'day_close' AND day = $1::date`, [D]);
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0].details.ledger).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ engine: 'GLOBAL', exposure_used: '100', open_risk_reserved: '40', realized_loss: '5', actions_count: 2, denials_count: 1 }),
        expect.objectContaining({ engine: 'MIDNIGHT', exposure_used: '100', open_risk_reserved: '40' }),
      ]),
    );
    expect(snapshots[0].details.open_reservations).toEqual({ reserved: 1, expired: 0, amount: '40' });
    const runs = await a.sql(`SELECT count(*)::int AS n FROM job_run WHERE job_name = $1 AND status = 'succeeded' AND period_at = $2`, [
      RISK_DAY_CLOSE_JOB,
      `${NEXT}T00:00:00.000Z`,
    ]);
    expect(runs).toEqual([{ n: 1 }]);
  });

  it('midnights missed while no instance ran are caught up at start', async () => {
    await a.close();
    await b.close();
    clock.set('2032-03-14T00:10:00.000Z');
    a = await startTestApp({ clock, databaseUrl: a.databaseUrl });
    b = await startTestApp({ clock, databaseUrl: a.databaseUrl });
    const closed = await a.sql(`SELECT day::text, count(*)::int AS n FROM risk_event WHERE kind = 'day_close' AND day >= $1::date GROUP BY day ORDER BY day`, [D]);
    expect(closed).toEqual([
      { day: D, n: 1 },
      { day: NEXT, n: 1 },
      { day: '2032-03-12', n: 1 },
      { day: '2032-03-13', n: 1 },
    ]);
    const next = (await a.sql(`SELECT details FROM risk_event WHERE kind = 'day_close' AND day = $1::date`, [NEXT]))[0].details;
    expect(next.ledger).toEqual(expect.arrayContaining([expect.objectContaining({ engine: 'MIDNIGHT', exposure_used: '70' })]));
    expect(await halfApplied(a.sql)).toEqual([]);
  });
});
