import { RISK_EXPIRY_JOB, RiskGuardService } from '#risk-guard';
import { JobRunner, SYSTEM_PRINCIPAL } from '#platform';
import { expectLedgerExactAfterEach, riskScenario, engineName, isolatedDay } from './support/factories/risk.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const R = '/api/governance/risk';

describe('risk guard over HTTP', () => {
  let t: TestApp;
  let viewer: string;
  let operator: string;
  let engineToken: string;

  beforeAll(async () => {
    t = await startTestApp();
    [viewer, operator, engineToken] = await Promise.all([t.token('viewer'), t.token('operator'), t.token('engine')]);
  });
  afterAll(() => t.close());

  expectLedgerExactAfterEach(() => t);

  /** A fresh engine with the given caps, on a fresh UTC day with GLOBAL unlimited unless told. */
  const scenario = async (caps: Record<string, unknown> = {}, global: Record<string, unknown> = {}) => (await riskScenario(t, operator, { caps, global })).engines[0];
  const reserve = (body: Record<string, unknown>, opts: { token?: string; headers?: Record<string, string> } = {}) =>
    t.http('POST', `${R}/check-and-reserve`, body, { token: opts.token ?? engineToken, headers: opts.headers });
  const settle = (body: Record<string, unknown>, token = engineToken) => t.http('POST', `${R}/settle`, body, { token });
  const ledgerRow = async (engine: string) => (await t.http('GET', `${R}/ledger/today`, undefined, { token: viewer })).body.engines.find((e: any) => e.engine === engine);
  const counts = async () =>
    (
      await t.sql(`SELECT (SELECT count(*) FROM risk_reservation)::int AS reservations, (SELECT count(*) FROM risk_event)::int AS events,
                          (SELECT coalesce(sum(exposure_used + open_risk_reserved + realized_loss + actions_count + denials_count), 0)::text FROM risk_ledger_day) AS ledger,
                          (SELECT count(*) FROM risk_policy)::int AS policies, (SELECT count(*) FROM audit_log)::int AS audit`)
    )[0];

  it('seeds the four policies of the original stack', async () => {
    const res = await t.http('GET', `${R}/policies`, undefined, { token: viewer });
    expect(res.status).toBe(200);
    const seeded = res.body.filter((p: any) => ['GLOBAL', 'WHOLESALE', 'CAPITAL', 'NOTIFY'].includes(p.engine));
    const pick = (e: string) => seeded.find((p: any) => p.engine === e);
    // GLOBAL is changed by other tests of this file; the seed row is what the migration-time seed wrote.
    const seedRows = await t.sql(`SELECT engine, enabled, max_daily_loss::float8 AS loss, max_daily_exposure::float8 AS exposure, max_open_risk::float8 AS open, max_actions_per_day
                                    FROM risk_policy WHERE updated_by = 'seed' ORDER BY engine`);
    expect(seedRows).toEqual(
      expect.arrayContaining([
        { engine: 'WHOLESALE', enabled: true, loss: 200, exposure: 1000, open: 1000, max_actions_per_day: null },
        { engine: 'CAPITAL', enabled: true, loss: 150, exposure: 750, open: 750, max_actions_per_day: null },
        { engine: 'NOTIFY', enabled: false, loss: 0, exposure: 0, open: 0, max_actions_per_day: null },
      ]),
    );
    expect(pick('WHOLESALE')).toMatchObject({ max_daily_loss: '200', max_daily_exposure: '1000', max_open_risk: '1000', enabled: true, enforcement_mode: 'enforce' });
    expect(res.body[0].engine).toBe('GLOBAL');
  });

  it('reserve then settle moves the ledger exactly, on both rows', async () => {
    const engine = await scenario();
    const r = await reserve({ engine: engine.toLowerCase(), amount: '12.3456', correlation_id: `${engine}-1`, reason: 'first' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ outcome: 'allowed', engine, amount: '12.3456', status: 'reserved', idempotent_replay: false, observed_reason_codes: [] });
    expect((await ledgerRow(engine)).usage).toEqual({ exposure_used: '12.3456', open_risk_reserved: '12.3456', realized_loss: '0', actions_count: 1 });

    const s = await settle({ reservation_id: r.body.reservation_id, realized_loss: 0.5 });
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({
      outcome: 'settled',
      idempotent_replay: false,
      reservation: { status: 'settled', realized_loss: '0.5', amount: '12.3456' },
      ledger: { day: r.body.day, engine: { exposure_used: '12.3456', open_risk_reserved: '0', realized_loss: '0.5', actions_count: 1 } },
    });
    const row = await ledgerRow(engine);
    expect(row.usage).toEqual({ exposure_used: '12.3456', open_risk_reserved: '0', realized_loss: '0.5', actions_count: 1 });
    expect(row.headroom).toEqual({ exposure: '87.6544', open_risk: '100', loss: '49.5', actions: null });

    // Settling again with the same values is the original answer; with another loss, 409.
    const again = await settle({ correlation_id: `${engine}-1`, realized_loss: '0.50' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'settled', idempotent_replay: true });
    const other = await settle({ correlation_id: `${engine}-1`, realized_loss: '0.6' });
    expect(other.status).toBe(409);
    expect(other.body.error).toBe('idempotency_conflict');
    expect((await ledgerRow(engine)).usage.realized_loss).toBe('0.5');
  });

  it('a denial reports every failing cap with caps, usage and headroom, is recorded and counted, and reserves nothing', async () => {
    const engine = await scenario({ max_daily_exposure: '10', max_open_risk: '8', max_actions_per_day: 5 }, { max_daily_exposure: '9' });
    const denied = await reserve({ engine, amount: '9.5', correlation_id: `${engine}-big` });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toBe('risk_denied');
    expect(denied.body.reason_codes).toEqual(['global_exposure_cap', 'engine_open_risk_cap']);
    expect(denied.body.details).toMatchObject({
      engine,
      amount: '9.5',
      recorded: true,
      global: { caps: { max_daily_exposure: '9' }, usage: { exposure_used: '0' }, headroom: { exposure: '9' } },
      engine_scope: { caps: { max_daily_exposure: '10', max_open_risk: '8', max_actions_per_day: 5 }, headroom: { open_risk: '8', actions: 5 } },
    });
    const row = await ledgerRow(engine);
    expect(row.usage.exposure_used).toBe('0');
    expect(row.denials_count).toBe(1);
    expect(await t.sql(`SELECT count(*)::int AS n FROM risk_reservation WHERE engine = $1`, [engine])).toEqual([{ n: 0 }]);
    const events = await t.http('GET', `${R}/events?engine=${engine}&outcome=denied`, undefined, { token: viewer });
    expect(events.body.items).toHaveLength(1);
    expect(events.body.items[0]).toMatchObject({ kind: 'reserve', correlation_id: `${engine}-big`, reason_codes: ['global_exposure_cap', 'engine_open_risk_cap'] });
  });

  it('the action cap counts actions per day', async () => {
    const engine = await scenario({ max_actions_per_day: 2 });
    expect((await reserve({ engine, amount: 1, correlation_id: `${engine}-a` })).status).toBe(201);
    expect((await reserve({ engine, amount: 1, correlation_id: `${engine}-b` })).status).toBe(201);
    const third = await reserve({ engine, amount: 1, correlation_id: `${engine}-c` });
    expect(third.status).toBe(403);
    expect(third.body.reason_codes).toEqual(['engine_action_cap']);
  });

  it('the loss cap stops new risk once the day has lost that much', async () => {
    const engine = await scenario({ max_daily_loss: '5' });
    const r = await reserve({ engine, amount: 20, correlation_id: `${engine}-a` });
    await settle({ reservation_id: r.body.reservation_id, realized_loss: '5' });
    const next = await reserve({ engine, amount: 1, correlation_id: `${engine}-b` });
    expect(next.status).toBe(403);
    expect(next.body.reason_codes).toEqual(['engine_loss_cap']);
  });

  describe('idempotency by correlation_id', () => {
    it('same key and body: the original answer; another body: 409; nothing reserved twice', async () => {
      const engine = await scenario();
      const first = await reserve({ engine, amount: '10.50', correlation_id: `${engine}-k` });
      const retry = await reserve({ engine, amount: 10.5, correlation_id: `${engine}-k` });
      expect(retry.status).toBe(201);
      expect(retry.body).toMatchObject({ reservation_id: first.body.reservation_id, idempotent_replay: true, outcome: 'allowed' });
      const conflict = await reserve({ engine, amount: 11, correlation_id: `${engine}-k` });
      expect(conflict.status).toBe(409);
      expect(conflict.body.error).toBe('idempotency_conflict');
      expect((await reserve({ engine, amount: '10.5', correlation_id: `${engine}-k`, reason: 'changed' })).status).toBe(409);
      expect((await ledgerRow(engine)).usage).toMatchObject({ exposure_used: '10.5', actions_count: 1 });
    });

    it('a denial is also the recorded answer: retrying the same request is denied again, even after room frees up', async () => {
      const engine = await scenario({ max_open_risk: '10' });
      const r = await reserve({ engine, amount: 10, correlation_id: `${engine}-a` });
      const denied = await reserve({ engine, amount: 5, correlation_id: `${engine}-b` });
      expect(denied.status).toBe(403);
      await settle({ reservation_id: r.body.reservation_id, realized_loss: 0 });
      const retried = await reserve({ engine, amount: 5, correlation_id: `${engine}-b` });
      expect(retried.status).toBe(403);
      expect(retried.body.reason_codes).toEqual(['engine_open_risk_cap']);
      expect(retried.body.details.idempotent_replay).toBe(true);
      expect((await ledgerRow(engine)).denials_count).toBe(1);
      expect((await reserve({ engine, amount: 5, correlation_id: `${engine}-c` })).status).toBe(201);
    });

    it('accepts an Idempotency-Key header instead; both given must agree; one of them is required', async () => {
      const engine = await scenario();
      const viaHeader = await reserve({ engine, amount: 1 }, { headers: { 'idempotency-key': `${engine}-h` } });
      expect(viaHeader.status).toBe(201);
      expect(viaHeader.body.correlation_id).toBe(`${engine}-h`);
      expect((await reserve({ engine, amount: 1, correlation_id: `${engine}-h` })).body.idempotent_replay).toBe(true);
      const differ = await reserve({ engine, amount: 1, correlation_id: 'x' }, { headers: { 'idempotency-key': 'y' } });
      expect(differ.status).toBe(400);
      const missing = await reserve({ engine, amount: 1 });
      expect(missing.status).toBe(400);
      expect(missing.body.error).toBe('correlation_id_required');
    });
  });

  it('dry_run answers without reserving, recording or consuming the key', async () => {
    const engine = await scenario({ max_daily_exposure: '10' });
    const before = await counts();
    const ok = await reserve({ engine, amount: 4, correlation_id: `${engine}-d`, dry_run: true });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ dry_run: true, outcome: 'allowed', reason_codes: [] });
    const no = await reserve({ engine, amount: 40, dry_run: true });
    expect(no.status).toBe(403);
    expect(no.body).toMatchObject({ error: 'risk_denied', reason_codes: ['engine_exposure_cap'], details: { dry_run: true, recorded: false } });
    expect(await counts()).toEqual(before);
    const real = await reserve({ engine, amount: 4, correlation_id: `${engine}-d` });
    expect(real.status).toBe(201);
    expect(real.body.idempotent_replay).toBe(false);

    // The in-process what-if (for the gate) answers without throwing, writing or counting.
    const risk = t.app.get(RiskGuardService);
    const before2 = await counts();
    expect(await risk.whatIf({ engine, amount: '6' })).toMatchObject({ allowed: true, outcome: 'allowed', reason_codes: [] });
    expect(await risk.whatIf({ engine, amount: '6.0001' })).toMatchObject({
      allowed: false,
      reason_codes: ['engine_exposure_cap'],
      details: { engine_scope: { usage: { exposure_used: '4' }, headroom: { exposure: '6' } } },
    });
    expect(await counts()).toEqual(before2);
  });

  it('observe mode allows and records the would-be denial', async () => {
    const engine = await scenario({ max_daily_exposure: '5', enforcement_mode: 'observe' });
    const r = await reserve({ engine, amount: 8, correlation_id: `${engine}-o` });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ outcome: 'allowed_observed', observed_reason_codes: ['engine_exposure_cap'] });
    const ev = await t.http('GET', `${R}/events?engine=${engine}&outcome=allowed_observed`, undefined, { token: viewer });
    expect(ev.body.items[0]).toMatchObject({ reason_codes: ['engine_exposure_cap'], reservation_id: r.body.reservation_id });
    expect((await ledgerRow(engine)).usage.exposure_used).toBe('8');
  });

  it('the kill switch denies new risk (recorded), while settling still works', async () => {
    const engine = await scenario();
    const open = await reserve({ engine, amount: 3, correlation_id: `${engine}-before` });
    expect((await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'drill' }, { token: operator })).status).toBe(200);
    try {
      const denied = await reserve({ engine, amount: 1, correlation_id: `${engine}-during` });
      expect(denied.status).toBe(403);
      expect(denied.body.reason_codes).toEqual(['kill_switch_engaged']);
      expect((await ledgerRow(engine)).denials_count).toBe(1);
      expect((await settle({ reservation_id: open.body.reservation_id, realized_loss: 0 })).status).toBe(200);
    } finally {
      await t.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'drill over' }, { token: operator });
    }
    expect((await reserve({ engine, amount: 1, correlation_id: `${engine}-after` })).status).toBe(201);
  });

  it('disableEngine / enableEngine / getPolicy: a disabled engine is denied policy_disabled naming the reason', async () => {
    const engine = await scenario();
    const risk = t.app.get(RiskGuardService);
    expect(await risk.disableEngine(SYSTEM_PRINCIPAL, engine, 'tripwire: contract_rate dropped 31%')).toEqual({ changed: true });
    expect(await risk.disableEngine(SYSTEM_PRINCIPAL, engine, 'again')).toEqual({ changed: false });
    expect(await risk.getPolicy(engine)).toMatchObject({ engine, enabled: false, disabled_reason: 'tripwire: contract_rate dropped 31%', max_daily_exposure: '100' });
    const denied = await reserve({ engine, amount: 1, correlation_id: `${engine}-x` });
    expect(denied.status).toBe(403);
    expect(denied.body.reason_codes).toEqual(['policy_disabled']);
    expect(denied.body.message).toContain('tripwire: contract_rate dropped 31%');
    expect(denied.body.details.engine_scope.disabled_reason).toBe('tripwire: contract_rate dropped 31%');
    expect(await risk.enableEngine(SYSTEM_PRINCIPAL, engine, 'fixed')).toEqual({ changed: true });
    expect(await risk.enableEngine(SYSTEM_PRINCIPAL, engine, 'fixed')).toEqual({ changed: false });
    expect((await risk.getPolicy(engine))!.disabled_reason).toBeNull();
    expect((await reserve({ engine, amount: 1, correlation_id: `${engine}-y` })).status).toBe(201);
    const audit = await t.sql(`SELECT action, reason FROM audit_log WHERE subject = $1 ORDER BY id`, [`risk_policy:${engine}`]);
    expect(audit.map((a) => a.action)).toEqual(['risk.policy.create', 'risk.policy.disable', 'risk.policy.enable']);
    // An engine without a policy is throttled by a disabled, zero-cap policy; enabling a missing one is 404.
    const ghost = engineName('GHOST');
    expect(await risk.disableEngine(SYSTEM_PRINCIPAL, ghost, 'tripwire')).toEqual({ changed: true });
    expect(await risk.getPolicy(ghost)).toMatchObject({ enabled: false, max_daily_exposure: '0', disabled_reason: 'tripwire' });
    await expect(risk.enableEngine(SYSTEM_PRINCIPAL, engineName('NONE'), 'x')).rejects.toMatchObject({ code: 'policy_not_found', status: 404 });
    expect(await risk.getPolicy(engineName('NONE'))).toBeNull();
  });

  it('policy upsert: operator only, validated, partial updates keep other fields, audited', async () => {
    const engine = engineName('P');
    expect((await t.http('POST', `${R}/policies/upsert`, { engine, max_daily_exposure: 1, max_open_risk: 1, max_daily_loss: 1 }, { token: engineToken })).status).toBe(403);
    const incomplete = await t.http('POST', `${R}/policies/upsert`, { engine, max_daily_exposure: '5' }, { token: operator });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error).toBe('policy_incomplete');
    const bad = await t.http('POST', `${R}/policies/upsert`, { engine, max_daily_exposure: '-1', max_open_risk: 'x', max_daily_loss: 1, enforcement_mode: 'loose', reservation_ttl_seconds: 0 }, { token: operator });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('validation_failed');
    expect(bad.body.message).toMatch(/max_daily_exposure.*max_open_risk.*reservation_ttl_seconds.*enforcement_mode/s);
    expect(await t.sql(`SELECT 1 FROM risk_policy WHERE engine = $1`, [engine])).toEqual([]);

    const created = await t.http(
      'POST',
      `${R}/policies/upsert`,
      { engine: engine.toLowerCase(), max_daily_exposure: '500.5', max_open_risk: null, max_daily_loss: 0, max_actions_per_day: 7, reservation_ttl_seconds: 60, reason: 'new engine', actor: 'alice' },
      { token: operator },
    );
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ engine, enabled: true, max_daily_exposure: '500.5', max_open_risk: null, max_daily_loss: '0', max_actions_per_day: 7, reservation_ttl_seconds: 60 });
    const disabled = await t.http('POST', `${R}/policies/upsert`, { engine, enabled: false, disabled_reason: 'maintenance' }, { token: operator });
    expect(disabled.body).toMatchObject({ enabled: false, disabled_reason: 'maintenance', max_daily_exposure: '500.5', max_actions_per_day: 7 });
    const audit = await t.sql(`SELECT action, actor_label, details FROM audit_log WHERE subject = $1 ORDER BY id`, [`risk_policy:${engine}`]);
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ action: 'risk.policy.create', actor_label: 'alice' });
    expect(audit[1].details.before.enabled).toBe(true);
    expect(audit[1].details.after.enabled).toBe(false);
  });

  it('TTL expiry never frees capacity: expired stays open risk and listed until settled or voided; void releases it', async () => {
    const engine = await scenario({ max_open_risk: '10', reservation_ttl_seconds: 60 });
    const r = await reserve({ engine, amount: 10, correlation_id: `${engine}-ttl` });
    t.clock.advance(120_000);
    const outcomes = await t.app.get(JobRunner).runJob(RISK_EXPIRY_JOB);
    expect(outcomes.at(-1)).toMatchObject({ status: 'succeeded' });
    const row = await ledgerRow(engine);
    expect(row.expired_reservations).toEqual({ count: 1, amount: '10' });
    expect(row.usage.open_risk_reserved).toBe('10');
    const listed = (await t.http('GET', `${R}/ledger/today`, undefined, { token: viewer })).body.open_reservations;
    expect(listed).toContainEqual(expect.objectContaining({ id: r.body.reservation_id, status: 'expired' }));
    expect((await reserve({ engine, amount: 1, correlation_id: `${engine}-more` })).body.reason_codes).toEqual(['engine_open_risk_cap']);

    expect((await t.http('POST', `${R}/void`, { reservation_id: r.body.reservation_id, reason: 'x' }, { token: engineToken })).status).toBe(403);
    const voided = await t.http('POST', `${R}/void`, { correlation_id: `${engine}-ttl`, reason: 'engine crashed before acting' }, { token: operator });
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({
      outcome: 'voided',
      reservation: { status: 'voided', realized_loss: null, close_reason: 'engine crashed before acting' },
      ledger: { engine: { exposure_used: '10', open_risk_reserved: '0', realized_loss: '0', actions_count: 1 } },
    });
    const replay = await t.http('POST', `${R}/void`, { correlation_id: `${engine}-ttl`, reason: 'engine crashed before acting' }, { token: operator });
    expect(replay.body.idempotent_replay).toBe(true);
    const settleVoided = await settle({ reservation_id: r.body.reservation_id, realized_loss: 0 });
    expect(settleVoided.status).toBe(409);
    expect(settleVoided.body.error).toBe('reservation_not_open');
    expect((await reserve({ engine, amount: 1, correlation_id: `${engine}-after` })).status).toBe(201);
    const kinds = await t.sql(`SELECT kind, outcome FROM risk_event WHERE reservation_id = $1 ORDER BY id`, [r.body.reservation_id]);
    expect(kinds).toEqual([
      { kind: 'reserve', outcome: 'allowed' },
      { kind: 'expire', outcome: 'expired' },
      { kind: 'void', outcome: 'voided' },
    ]);
  });

  it('an engine-bound token reserves and settles only for its engines', async () => {
    const engine = await scenario();
    const other = await scenario();
    const bound = await t.token('engine', { engines: [engine] });
    expect((await reserve({ engine: other, amount: 1, correlation_id: `${engine}-o` }, { token: bound })).body.error).toBe('engine_not_bound');
    const mine = await reserve({ engine, amount: 1, correlation_id: `${engine}-m` }, { token: bound });
    expect(mine.status).toBe(201);
    const theirs = await reserve({ engine: other, amount: 1, correlation_id: `${other}-t` });
    const s = await settle({ reservation_id: theirs.body.reservation_id, realized_loss: 0 }, bound);
    expect(s.status).toBe(403);
    expect(s.body.error).toBe('engine_not_bound');
    expect((await settle({ reservation_id: mine.body.reservation_id, realized_loss: 0 }, bound)).status).toBe(200);
    expect((await t.http('POST', `${R}/check-and-reserve`, { engine, amount: 1, correlation_id: 'v' }, { token: viewer })).status).toBe(403);
  });

  it('bad input: a 4xx with a stable code, and nothing changes', async () => {
    const engine = await scenario();
    const r = await reserve({ engine, amount: 2, correlation_id: `${engine}-ok` });
    await settle({ reservation_id: r.body.reservation_id, realized_loss: 1 });
    const before = await counts();
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      ['check-and-reserve', { engine, amount: -5, correlation_id: 'b1' }, 400, 'validation_failed'],
      ['check-and-reserve', { engine, amount: 0, correlation_id: 'b2' }, 400, 'validation_failed'],
      ['check-and-reserve', { engine, amount: '0.0000', correlation_id: 'b2z' }, 400, 'validation_failed'],
      ['check-and-reserve', { engine, amount: 'ten', correlation_id: 'b3' }, 400, 'validation_failed'],
      ['check-and-reserve', { engine, amount: '1.23456', correlation_id: 'b4' }, 400, 'validation_failed'],
      ['check-and-reserve', { engine, amount: 1e300, correlation_id: 'b5' }, 400, 'validation_failed'],
      ['check-and-reserve', { engine, amount: '1234567890123456', correlation_id: 'b6' }, 400, 'validation_failed'],
      ['check-and-reserve', { engine, amount: null, correlation_id: 'b7' }, 400, 'validation_failed'],
      ['check-and-reserve', { engine, correlation_id: 'b8' }, 400, 'validation_failed'],
      ['check-and-reserve', { engine, amount: 1 }, 400, 'correlation_id_required'],
      ['check-and-reserve', { engine, amount: 1, correlation_id: 'has space' }, 400, 'validation_failed'],
      ['check-and-reserve', { engine, amount: 1, correlation_id: 'b9', extra: true }, 400, 'validation_failed'],
      ['check-and-reserve', { engine: 'GLOBAL', amount: 1, correlation_id: 'b10' }, 400, 'invalid_engine'],
      ['check-and-reserve', { engine: 'no-such-engine!', amount: 1, correlation_id: 'b11' }, 400, 'validation_failed'],
      ['check-and-reserve', { engine: engineName('UNKNOWN'), amount: 1, correlation_id: 'b12' }, 403, 'risk_denied'],
      ['settle', { reservation_id: '00000000-0000-4000-8000-000000000000', realized_loss: 0 }, 404, 'reservation_not_found'],
      ['settle', { correlation_id: 'never-used', realized_loss: 0 }, 404, 'reservation_not_found'],
      ['settle', { reservation_id: 'not-a-uuid', realized_loss: 0 }, 400, 'validation_failed'],
      ['settle', { realized_loss: 0 }, 400, 'validation_failed'],
      ['settle', { reservation_id: r.body.reservation_id, correlation_id: `${engine}-ok`, realized_loss: 1 }, 400, 'validation_failed'],
      ['settle', { reservation_id: r.body.reservation_id, realized_loss: -1 }, 400, 'validation_failed'],
      ['settle', { reservation_id: r.body.reservation_id }, 400, 'validation_failed'],
      ['settle', { reservation_id: r.body.reservation_id, realized_loss: 2 }, 409, 'idempotency_conflict'],
      ['void', { reservation_id: r.body.reservation_id }, 400, 'validation_failed'],
      ['void', { reservation_id: r.body.reservation_id, reason: 'late' }, 409, 'reservation_not_open'],
    ];
    for (const [route, body, status, code] of cases) {
      const res = await t.http('POST', `${R}/${route}`, body, { token: operator });
      expect({ route, body, status: res.status, error: res.body.error }).toEqual({ route, body, status, error: code });
    }
    const unknown = await reserve({ engine: engineName('UNKNOWN'), amount: 1, correlation_id: 'b13' });
    expect(unknown.body).toMatchObject({ reason_codes: ['no_engine_policy'], details: { recorded: false } });
    const broken = await t.http('POST', `${R}/check-and-reserve`, undefined, { raw: '{"engine":', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect((await t.http('GET', `${R}/events?day=2025-02-30`, undefined, { token: viewer })).status).toBe(400);
    expect((await t.http('GET', `${R}/events?limit=0`, undefined, { token: viewer })).status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('events: filter by engine, day and outcome, newest first, with a cursor', async () => {
    const engine = await scenario({ max_daily_exposure: '3' });
    for (let i = 0; i < 5; i++) await reserve({ engine, amount: 1, correlation_id: `${engine}-${i}` });
    const day = t.clock.now().toISOString().slice(0, 10);
    const page1 = await t.http('GET', `${R}/events?engine=${engine.toLowerCase()}&day=${day}&limit=2`, undefined, { token: viewer });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((e: any) => e.correlation_id)).toEqual([`${engine}-4`, `${engine}-3`]);
    const page2 = await t.http('GET', `${R}/events?engine=${engine}&day=${day}&limit=2&before=${page1.body.next_cursor}`, undefined, { token: viewer });
    expect(page2.body.items.map((e: any) => e.correlation_id)).toEqual([`${engine}-2`, `${engine}-1`]);
    const denied = await t.http('GET', `${R}/events?engine=${engine}&outcome=denied`, undefined, { token: viewer });
    expect(denied.body.items.map((e: any) => e.correlation_id)).toEqual([`${engine}-4`, `${engine}-3`]);
    expect(denied.body.next_cursor).toBeNull();
    expect((await t.http('GET', `${R}/events?engine=${engine}&day=2001-01-01`, undefined, { token: viewer })).body.items).toEqual([]);
  });

  it('risk_event is append-only', async () => {
    await expect(t.sql(`UPDATE risk_event SET outcome = 'allowed' WHERE kind = 'reserve'`)).rejects.toThrow(/append-only/);
    await expect(t.sql(`DELETE FROM risk_event`)).rejects.toThrow(/append-only/);
  });

  it('contributes its readiness check to the go-live checklist', async () => {
    const ok = (await t.http('GET', '/api/governance/go-live/checklist', undefined, { token: viewer })).body.required.required_packs_installed;
    expect(ok.ok).toBe(true);
    const risk = t.app.get(RiskGuardService);
    await risk.disableEngine(SYSTEM_PRINCIPAL, 'GLOBAL', 'checklist test');
    try {
      const item = (await t.http('GET', '/api/governance/go-live/checklist', undefined, { token: viewer })).body.required.required_packs_installed;
      expect(item.ok).toBe(false);
      expect(item.detail).toContain('GLOBAL');
    } finally {
      await risk.enableEngine(SYSTEM_PRINCIPAL, 'GLOBAL', 'checklist test over');
    }
  });

  describe('the example engine POST /api/deals', () => {
    it('reserves the deal amount on WHOLESALE, books it, settles; a retry is the same deal', async () => {
      t.clock.set(isolatedDay());
      const body = { counterparty: 'ACME', amount: '125.50', correlation_id: `deal-${Date.now()}` };
      const res = await t.http('POST', '/api/deals', body, { token: engineToken });
      expect(res.status).toBe(201);
      const again = await t.http('POST', '/api/deals', body, { token: engineToken });
      expect(again.body.id).toBe(res.body.id);
      const reservations = await t.sql(`SELECT engine, amount::text, status, realized_loss::text FROM risk_reservation WHERE correlation_id = $1`, [`deal:${body.correlation_id}`]);
      expect(reservations).toEqual([{ engine: 'WHOLESALE', amount: '125.5000', status: 'settled', realized_loss: '0.0000' }]);
      expect((await ledgerRow('WHOLESALE')).usage).toMatchObject({ exposure_used: '125.5', open_risk_reserved: '0', actions_count: 1 });
      const changed = await t.http('POST', '/api/deals', { ...body, amount: '99' }, { token: engineToken });
      expect(changed.status).toBe(409);
      expect(changed.body.error).toBe('idempotency_conflict');
    });

    it('a deal beyond the caps, or on a disabled engine, is refused with the risk reason codes and not booked', async () => {
      t.clock.set(isolatedDay());
      const dealCount = async () => (await t.sql(`SELECT count(*)::int AS n FROM deal`))[0].n;
      const before = await dealCount();
      const big = await t.http('POST', '/api/deals', { counterparty: 'Big', amount: '1000.01' }, { token: engineToken });
      expect(big.status).toBe(403);
      expect(big.body.error).toBe('risk_denied');
      expect(big.body.reason_codes).toContain('engine_exposure_cap');
      const risk = t.app.get(RiskGuardService);
      await risk.disableEngine(SYSTEM_PRINCIPAL, 'WHOLESALE', 'tripwire: offer_accept_rate');
      try {
        const off = await t.http('POST', '/api/deals', { counterparty: 'Small', amount: 1 }, { token: engineToken });
        expect(off.status).toBe(403);
        expect(off.body.reason_codes).toContain('policy_disabled');
        expect(off.body.message).toContain('tripwire: offer_accept_rate');
      } finally {
        await risk.enableEngine(SYSTEM_PRINCIPAL, 'WHOLESALE', 'recovered');
      }
      expect(await dealCount()).toBe(before);
    });
  });

  it('counts decisions in the metrics and documents the routes', async () => {
    const metrics = await t.http('GET', '/metrics', undefined, { token: viewer });
    expect(metrics.body).toContain('warden_decisions_total{lever="risk",outcome="allowed"}');
    expect(metrics.body).toContain('warden_decisions_total{lever="risk",outcome="denied"}');
    const paths = Object.keys((await t.http('GET', '/docs-json', undefined, { token: null })).body.paths);
    for (const p of ['policies', 'policies/upsert', 'ledger/today', 'check-and-reserve', 'settle', 'void', 'events']) expect(paths).toContain(`${R}/${p}`);
  });
});
