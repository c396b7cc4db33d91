import pg from 'pg';
import { DatabaseGate, GuardedClient, SERVER_DEADLINE, utcDay } from '#platform';
import { expectLedgerExactAfterEach, riskScenario } from './support/factories/risk.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * risk_ledger_batch checks the client's deadline itself (first thing and as its last step, after
 * its writes), which is why the client may send its Execute and Sync together: a call that finishes
 * or arrives after its deadline rolls back whole. The real function, the real PostgreSQL; the delay
 * inside the function is a lock on the GLOBAL row held by a side transaction.
 */
describe('the ledger turn checks its deadline', () => {
  let t: TestApp;
  let operator: string;

  beforeAll(async () => {
    t = await startTestApp();
    operator = await t.token('operator');
  });
  afterAll(() => t.close());
  expectLedgerExactAfterEach(() => t);

  /** A side transaction holding the day's GLOBAL row; `release()` commits it. */
  async function holdGlobal(day: string): Promise<{ release: () => Promise<void> }> {
    const client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
    await client.query('BEGIN');
    const locked = await client.query(`SELECT 1 FROM risk_ledger_day WHERE day = $1::date AND engine = 'GLOBAL' FOR UPDATE`, [day]);
    expect(locked.rowCount).toBe(1);
    return { release: () => client.query('COMMIT').finally(() => client.end()) as Promise<any> };
  }

  const TURN = `SELECT ord, outcome FROM risk_ledger_batch($1::date, $2::timestamptz, false, $3::text[], $4::text[], $5::uuid[], $6::text[],
                  $7::numeric[], $8::text[], $9::text[], $10::text[], $11::text[], %DEADLINE%)`;
  const turnParams = (day: string, now: Date, engine: string, items: Array<{ kind: string; cid: string; amount: string; id?: string }>) => [
    day,
    now,
    items.map((i) => i.cid),
    items.map((i) => i.kind),
    items.map((i) => i.id ?? null),
    items.map(() => engine),
    items.map((i) => i.amount),
    items.map((i) => (i.kind === 'reserve' ? `digest-${i.cid}` : null)),
    items.map(() => 'deadline test'),
    items.map(() => 'test'),
    items.map(() => null),
  ];

  async function state(engine: string, day: string) {
    const reservations = await t.sql(`SELECT correlation_id, status FROM risk_reservation WHERE engine = $1 ORDER BY correlation_id`, [engine]);
    const events = await t.sql(`SELECT kind, outcome, correlation_id FROM risk_event WHERE engine = $1 ORDER BY id`, [engine]);
    const ledger = await t.sql(
      `SELECT engine, exposure_used::text AS exposure, open_risk_reserved::text AS open, actions_count::int AS actions
         FROM risk_ledger_day WHERE day = $1::date AND engine IN ($2, 'GLOBAL') ORDER BY engine`,
      [day, engine],
    );
    return { reservations, events, ledger };
  }

  it('a turn whose deadline passes while it runs (after its writes) commits nothing: reserve and settle both roll back', async () => {
    const { engines: [engine] } = await riskScenario(t, operator);
    const now = t.clock.now();
    const day = utcDay(now);
    const first = await t.http('POST', '/api/governance/risk/check-and-reserve', { engine, amount: '2', correlation_id: 'dl-open' });
    expect(first.status).toBe(201);
    const before = await state(engine, day);

    const lock = await holdGlobal(day);
    // The deadline is 300 ms after the statement starts; the lock keeps the function waiting 800 ms, after its first check.
    const call = t
      .sql(TURN.replace('%DEADLINE%', `clock_timestamp() + interval '300 milliseconds'`), turnParams(day, now, engine, [
        { kind: 'reserve', cid: 'dl-late', amount: '3' },
        { kind: 'settle', cid: 'dl-open', amount: '0', id: first.body.reservation_id },
      ]))
      .then(
        () => null,
        (err: { code?: string; message?: string }) => err,
      );
    await new Promise((r) => setTimeout(r, 800));
    await lock.release();
    const err = await call;

    // Raised by the last check, after the writes (the first check passed: it was well before the deadline).
    expect(err).toMatchObject({ code: '57014', message: expect.stringContaining('before the batch finished') });
    expect(await state(engine, day)).toEqual(before);
    expect(before.reservations).toEqual([{ correlation_id: 'dl-open', status: 'reserved' }]);
  });

  it('a turn that reaches the server after its deadline raises first thing and does nothing', async () => {
    const { engines: [engine] } = await riskScenario(t, operator);
    const now = t.clock.now();
    const day = utcDay(now);
    const err = await t
      .sql(TURN.replace('%DEADLINE%', `clock_timestamp() - interval '1 millisecond'`), turnParams(day, now, engine, [{ kind: 'reserve', cid: 'dl-early', amount: '1' }]))
      .then(
        () => null,
        (e: { code?: string; message?: string }) => e,
      );
    expect(err).toMatchObject({ code: '57014', message: expect.stringContaining('before the batch started') });
    expect(await state(engine, day)).toEqual({ reservations: [], events: [], ledger: [] });
  });

  it("through the fail-closed client: the call answered with a deadline error never commits later, though Execute and Sync went together", async () => {
    const { engines: [engine] } = await riskScenario(t, operator);
    const now = t.clock.now();
    const day = utcDay(now);
    const warm = await t.http('POST', '/api/governance/risk/check-and-reserve', { engine, amount: '1', correlation_id: 'dl-warm' });
    expect(warm.status).toBe(201);
    const before = await state(engine, day);

    // The client Warden's pools use, with a 600 ms deadline and no server-side timeouts (so only the deadline can stop it).
    const client = new GuardedClient({ connectionString: t.databaseUrl, warden: { gate: new DatabaseGate(), queryTimeoutMs: 600 } });
    client.on('error', () => undefined);
    await client.connect();
    await client.query('SET statement_timeout = 0');
    await client.query('SET lock_timeout = 0');
    // SERVER_DEADLINE is this statement's deadline less a margin (150 ms here), on the server's clock.
    const probe = await client.query(`SELECT extract(epoch FROM $1::timestamptz - clock_timestamp()) * 1000 AS ms`, [SERVER_DEADLINE]);
    expect(Number(probe.rows[0].ms)).toBeGreaterThan(200);
    expect(Number(probe.rows[0].ms)).toBeLessThanOrEqual(450);

    const lock = await holdGlobal(day);
    const started = Date.now();
    const err = await client
      .query(TURN.replace('%DEADLINE%', '$12::timestamptz'), [...turnParams(day, now, engine, [{ kind: 'reserve', cid: 'dl-client', amount: '4' }]), SERVER_DEADLINE])
      .then(
        () => null,
        (e: { code?: string; commitOutcomeUnknown?: boolean }) => e,
      );
    expect(err).toMatchObject({ code: 'WARDEN_QUERY_DEADLINE' });
    expect(Date.now() - started).toBeLessThan(2000);
    // The server still runs the function; once the lock is free it writes, reaches its last check, and rolls back.
    await new Promise((r) => setTimeout(r, 300));
    await lock.release();
    await new Promise((r) => setTimeout(r, 500));
    const stillRunning = await t.sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%risk_ledger_batch(%' AND state = 'active' AND pid <> pg_backend_pid()`);
    expect(stillRunning[0].n).toBe(0);
    expect(await state(engine, day)).toEqual(before);
    await client.end().catch(() => undefined);
  });
});
