import { DataSource } from 'typeorm';
import { RiskGuardService } from '#risk-guard';
import { expectLedgerExactAfterEach, riskScenario } from './support/factories/risk.js';
import { holdTableLock, lockWaiters, recordStatements, waitUntil } from './support/group-commit.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * A poison request in a risk batch fails alone (libs/platform/src/database/group-commit.ts), against
 * the real ledger. The poison: a reason holding a NUL character, which PostgreSQL refuses in any text
 * value. Over HTTP the JSON scan refuses it first (400); the in-process integration
 * (`reserveOrThrow`, `settle`) passes the reason through, so only the database checks it, and the
 * whole statement of its batch fails.
 *
 * To put the poison in one batch with good requests every time, a side transaction holds
 * `risk_ledger_day` while one request is in flight (one batch in flight for the ledger): the others
 * queue behind it and go as the next batch together once the lock is released.
 */
describe('risk group commit: a poison request fails alone', () => {
  let t: TestApp;
  let operator: string;
  let risk: RiskGuardService;

  beforeAll(async () => {
    t = await startTestApp();
    operator = await t.token('operator');
    risk = t.app.get(RiskGuardService);
  });
  afterAll(() => t.close());
  expectLedgerExactAfterEach(() => t);

  const POISON = 'bad\u0000reason';

  it('reserve: one request the database refuses, in a batch of twelve; the other eleven are reserved, in order', async () => {
    const { engines: [engine] } = await riskScenario(t, operator, { caps: { max_daily_exposure: '1000', max_open_risk: '1000' } });
    const cid = (i: number) => `gc-${engine}-${i}`;
    const lock = await holdTableLock(t.databaseUrl, 'risk_ledger_day', 'EXCLUSIVE');
    const batches = recordStatements(t.app.get(DataSource), 'risk_ledger_batch');
    try {
      const blocker = risk.reserveOrThrow({ engine, amount: '1', correlationId: cid(0) });
      await waitUntil(async () => (await lockWaiters(t.sql)) >= 1, 'the first batch to wait for the ledger lock');
      const calls = Array.from({ length: 12 }, (_, k) => k + 1).map((i) =>
        risk.reserveOrThrow({ engine, amount: String(i), correlationId: cid(i), reason: i === 6 ? POISON : `good ${i}` }),
      );
      await new Promise((r) => setTimeout(r, 50));
      await lock.release();
      const answers = await Promise.allSettled([blocker, ...calls]);

      // The twelve went as one statement; the poison was then isolated by splitting the batch in halves:
      // 1-12 fail, 1-6 fail, 1-3 commit, 4-6 fail, 4-5 commit, 6 fails alone, 7-12 commit.
      expect(batches.params[1][3]).toEqual(Array.from({ length: 12 }, (_, k) => cid(k + 1)));
      expect(batches.params.map((p) => (p[3] as string[]).length)).toEqual([1, 12, 6, 3, 3, 2, 1, 6]);
      answers.forEach((a, i) => {
        if (i === 6) expect(a).toMatchObject({ status: 'rejected', reason: { code: 'governance_unavailable', status: 503 } });
        else expect(a).toMatchObject({ status: 'fulfilled', value: { outcome: 'allowed', engine, correlation_id: cid(i), idempotent_replay: false } });
      });
      const stored = await t.sql(`SELECT correlation_id FROM risk_reservation WHERE engine = $1 ORDER BY reserved_at, correlation_id`, [engine]);
      const expected = Array.from({ length: 13 }, (_, i) => cid(i)).filter((c) => c !== cid(6));
      expect(stored.map((r) => r.correlation_id).sort()).toEqual([...expected].sort());
      // Admitted in arrival order: the event ids of the good requests follow their submission order.
      const events = await t.sql(`SELECT correlation_id FROM risk_event WHERE engine = $1 AND kind = 'reserve' ORDER BY id`, [engine]);
      expect(events.map((r) => r.correlation_id)).toEqual(expected);
      const [line] = await t.sql(`SELECT exposure_used::text AS exposure, actions_count::int AS actions FROM risk_ledger_day WHERE engine = $1`, [engine]);
      expect(line).toEqual({ exposure: String(1 + (78 - 6)), actions: 12 });

      // The poison request, sent again without the NUL, is a fresh request: its key was never consumed.
      const retried = await risk.reserveOrThrow({ engine, amount: '6', correlationId: cid(6), reason: 'fixed' });
      expect(retried).toMatchObject({ outcome: 'allowed', idempotent_replay: false });
    } finally {
      batches.stop();
      await lock.release();
    }
  });

  it('settle: one settle the database refuses, in a batch of eight; the other seven are settled', async () => {
    const { engines: [engine] } = await riskScenario(t, operator);
    const cid = (i: number) => `gcs-${engine}-${i}`;
    for (let i = 0; i <= 8; i++) await risk.reserveOrThrow({ engine, amount: '1', correlationId: cid(i) });
    const lock = await holdTableLock(t.databaseUrl, 'risk_ledger_day', 'EXCLUSIVE');
    const batches = recordStatements(t.app.get(DataSource), 'risk_ledger_batch');
    try {
      const blocker = risk.settle({ engine, correlationId: cid(0), realizedLoss: '0' });
      await waitUntil(async () => (await lockWaiters(t.sql)) >= 1, 'the first settle batch to wait for the ledger lock');
      const calls = Array.from({ length: 8 }, (_, k) => k + 1).map((i) =>
        risk.settle({ engine, correlationId: cid(i), realizedLoss: '0.5', reason: i === 3 ? POISON : `good ${i}` }),
      );
      await new Promise((r) => setTimeout(r, 50));
      await lock.release();
      const answers = await Promise.allSettled([blocker, ...calls]);

      // 1-8 fail, 1-4 fail, 1-2 commit, 3-4 fail, 3 fails alone, 4 commits, 5-8 commit.
      expect(batches.params[1][3]).toEqual(Array.from({ length: 8 }, (_, k) => cid(k + 1)));
      expect(batches.params.map((p) => (p[3] as string[]).length)).toEqual([1, 8, 4, 2, 2, 1, 1, 4]);
      answers.forEach((a, i) => {
        if (i === 3) expect(a).toMatchObject({ status: 'rejected', reason: { code: 'governance_unavailable', status: 503 } });
        else expect(a).toMatchObject({ status: 'fulfilled', value: { reservation: { status: 'settled', correlation_id: cid(i) } } });
      });
      const rows = await t.sql(`SELECT correlation_id, status FROM risk_reservation WHERE engine = $1 ORDER BY correlation_id`, [engine]);
      expect(Object.fromEntries(rows.map((r) => [r.correlation_id, r.status]))).toEqual(
        Object.fromEntries(Array.from({ length: 9 }, (_, i) => [cid(i), i === 3 ? 'reserved' : 'settled'])),
      );
      const [line] = await t.sql(`SELECT realized_loss::text AS loss, open_risk_reserved::text AS open FROM risk_ledger_day WHERE engine = $1`, [engine]);
      expect({ loss: Number(line.loss), open: Number(line.open) }).toEqual({ loss: 3.5, open: 1 });
    } finally {
      batches.stop();
      await lock.release();
    }
  });
});
