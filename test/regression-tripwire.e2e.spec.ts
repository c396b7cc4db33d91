import { JobRunner } from '#platform';
import { DEFAULT_ALPHA, WINDOW_SQL } from '#regression-tripwire';
import { freshDomain, successes, TRIPWIRE_API as API, tripwireApi, tripwireTokens } from './support/factories/tripwire.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('regression tripwire over HTTP', () => {
  let t: TestApp;
  let viewer: string;
  let operator: string;
  let engine: string;
  let api: ReturnType<typeof tripwireApi>;

  beforeAll(async () => {
    t = await startTestApp();
    ({ viewer, operator, engine } = await tripwireTokens(t));
    api = tripwireApi(t, { operator, engine });
  });
  afterAll(() => t.close());

  const upsert = (body: Record<string, unknown>, token = operator) => api.upsert(body, token);
  const kpi = (body: unknown, options: { token?: string; headers?: Record<string, string> } = {}) => api.kpi(body, options);
  const evaluate = (domain: string, metric: string, token = engine) => api.evaluate(domain, metric, token);
  const values = (domain: string, metric: string, xs: number[]) => xs.map((value) => ({ domain, metric, value }));
  const countEvents = async (domain: string) => Number((await t.sql(`SELECT count(*)::int AS n FROM kpi_event WHERE domain = $1`, [domain]))[0].n);
  /** A policy on a fresh domain: small windows so tests stay quick. */
  const policy = (overrides: Record<string, unknown> = {}) => api.policy(overrides);

  describe('policies', () => {
    it('the four original policies are seeded, disabled, with their thresholds and actions', async () => {
      const res = await t.http('GET', `${API}/policies`, undefined, { token: viewer });
      expect(res.status).toBe(200);
      const seeded = res.body.filter((p: any) => ['WHOLESALE', 'BUYER_MATCH', 'CAPITAL'].includes(p.domain));
      expect(seeded.map((p: any) => [p.domain, p.metric, p.max_drop_fraction, p.action, p.enabled, p.target_engine])).toEqual([
        ['BUYER_MATCH', 'match_success', 0.25, 'THROTTLE', false, 'BUYER_MATCH'],
        ['CAPITAL', 'roi_event', 0.3, 'KILL_SWITCH', false, 'CAPITAL'],
        ['WHOLESALE', 'contract_rate', 0.2, 'THROTTLE', false, 'WHOLESALE'],
        ['WHOLESALE', 'offer_accept_rate', 0.15, 'THROTTLE', false, 'WHOLESALE'],
      ]);
      for (const p of seeded) expect(p).toMatchObject({ window_events: 50, baseline_events: 200, min_events: 50, alpha: DEFAULT_ALPHA });
      expect(DEFAULT_ALPHA).toBe(0.005); // chosen from npm run bench:detector (docs/regression-tripwire.md, "False alarms vs detection")
    });

    it('contributes "regression policies present" to the go-live checklist', async () => {
      const checklist = (await t.http('GET', '/api/governance/go-live/checklist', undefined, { token: viewer })).body;
      const packs = checklist.required.required_packs_installed;
      const part = packs.parts?.regression_tripwire ?? packs;
      expect(part.ok).toBe(true);
      expect(part.detail).toMatch(/regression policies present/);
    });

    it('upsert creates with defaults, updates only what is given, and is audited', async () => {
      const domain = freshDomain();
      const created = await upsert({ domain: domain.toLowerCase(), metric: 'Win_Rate', max_drop_fraction: 0.1, action: 'alert', reason: 'new engine' });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ domain, metric: 'win_rate', enabled: false, window_events: 50, baseline_events: 200, min_events: 50, alpha: DEFAULT_ALPHA, action: 'ALERT', target_engine: domain, kind: null });
      const updated = await upsert({ domain, metric: 'win_rate', enabled: true, alpha: null, target_engine: 'other_engine' });
      expect(updated.body).toMatchObject({ enabled: true, alpha: null, max_drop_fraction: 0.1, target_engine: 'OTHER_ENGINE', window_events: 50 });
      const audit = await t.sql(`SELECT action, principal, reason, details FROM audit_log WHERE subject = $1 ORDER BY id`, [`regression_tripwire:${domain}/win_rate`]);
      expect(audit.map((a) => a.action)).toEqual(['regression_tripwire.policy.create', 'regression_tripwire.policy.update']);
      expect(audit[0].principal).toMatch(/^operator-/);
      expect(audit[1].details.before.alpha).toBe(DEFAULT_ALPHA);
      expect(audit[1].details.after.alpha).toBeNull();
    });

    it('rejects incomplete or inconsistent policies and non-operators, changing nothing', async () => {
      const domain = freshDomain();
      const cases: Array<[Record<string, unknown>, number, string]> = [
        [{ domain, metric: 'm' }, 400, 'policy_incomplete'],
        [{ domain, metric: 'm', action: 'ALERT' }, 400, 'policy_incomplete'],
        [{ domain, metric: 'm', max_drop_fraction: 0.2, action: 'ALERT', min_events: 60, window_events: 50 }, 400, 'invalid_regression_policy'],
        [{ domain, metric: 'm', max_drop_fraction: 1.5, action: 'ALERT' }, 400, 'validation_failed'],
        [{ domain, metric: 'm', max_drop_fraction: 0.2, action: 'EXPLODE' }, 400, 'validation_failed'],
        [{ domain, metric: 'm', max_drop_fraction: 0.2, action: 'ALERT', alpha: 0 }, 400, 'validation_failed'],
        [{ domain, metric: 'm', max_drop_fraction: 0.2, action: 'ALERT', window_events: 2.5 }, 400, 'validation_failed'],
        [{ domain, metric: 'm', max_drop_fraction: 0.2, action: 'ALERT', extra: true }, 400, 'validation_failed'],
        [{ domain, metric: 'm', max_drop_fraction: null, action: 'ALERT' }, 400, 'validation_failed'],
        [{ domain, metric: 'm', max_drop_fraction: 0, action: 'ALERT' }, 400, 'validation_failed'],
        [{ domain, metric: 'm', max_drop_fraction: 0.2, action: 'ALERT', alpha: 0.6 }, 400, 'validation_failed'],
        [{ domain, metric: 'm', max_drop_fraction: 'a lot', action: 'ALERT' }, 400, 'validation_failed'],
      ];
      for (const [body, status, error] of cases) {
        const res = await upsert(body);
        expect([res.status, res.body.error]).toEqual([status, error]);
      }
      expect((await upsert({ domain, metric: 'm', max_drop_fraction: 0.2, action: 'ALERT' }, engine)).status).toBe(403);
      expect(await t.sql(`SELECT 1 FROM regression_policy WHERE domain = $1`, [domain])).toHaveLength(0);
    });

    it('a new policy without its required fields is policy_incomplete, naming each missing field', async () => {
      const res = await upsert({ domain: freshDomain(), metric: 'm', enabled: true });
      expect([res.status, res.body.error]).toEqual([400, 'policy_incomplete']);
      expect(res.body.details.fields.map((f: any) => f.field)).toEqual(['max_drop_fraction', 'action']);
      const one = await upsert({ domain: freshDomain(), metric: 'm', max_drop_fraction: 0.2 });
      expect(one.body.details.fields).toEqual([{ field: 'action', problems: [expect.any(String)] }]);
    });

    it('ratios take a JSON number or a decimal string; alpha null is the plain threshold', async () => {
      const domain = freshDomain();
      const res = await upsert({ domain, metric: 'm', max_drop_fraction: '0.25', action: 'ALERT', alpha: '0.01' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ max_drop_fraction: 0.25, alpha: 0.01 });
      expect((await upsert({ domain, metric: 'm', max_drop_fraction: 1, alpha: null })).body).toMatchObject({ max_drop_fraction: 1, alpha: null });
      expect((await upsert({ domain, metric: 'm', max_drop_fraction: 0.0001, alpha: 0.5 })).body).toMatchObject({ max_drop_fraction: 0.0001, alpha: 0.5 });
    });

    it('two concurrent creates of the same new policy: exactly one create, the other an update', async () => {
      const domain = freshDomain();
      const results = await Promise.all([
        upsert({ domain, metric: 'race', max_drop_fraction: 0.2, action: 'ALERT', reason: 'first' }),
        upsert({ domain, metric: 'race', max_drop_fraction: 0.3, action: 'THROTTLE', reason: 'second' }),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      const audit = await t.sql(`SELECT action, details FROM audit_log WHERE subject = $1 ORDER BY id`, [`regression_tripwire:${domain}/race`]);
      expect(audit.map((a) => a.action)).toEqual(['regression_tripwire.policy.create', 'regression_tripwire.policy.update']);
      expect(audit[0].details.before).toBeNull();
      expect(audit[1].details.before).toEqual(audit[0].details.after);
      const [row] = await t.sql(`SELECT max_drop_fraction, action FROM regression_policy WHERE domain = $1`, [domain]);
      expect(row).toEqual({ max_drop_fraction: audit[1].details.after.max_drop_fraction, action: audit[1].details.after.action });
    });
  });

  describe('KPI events', () => {
    it('records one event or a batch, and a retried batch records nothing twice', async () => {
      const { domain, metric } = await policy();
      const one = await kpi({ domain, metric, success: true, correlation_id: `${domain}-one` });
      expect(one.status).toBe(201);
      expect(one.body).toMatchObject({ recorded: 1, duplicates: 0, events: [{ domain, metric, success: true, value: null, duplicate: false }] });

      const batch = { events: successes(domain, metric, 30, 0.5).map((e, i) => ({ ...e, correlation_id: `${domain}-b${i}` })) };
      const first = await kpi(batch);
      expect(first.status).toBe(201);
      expect(first.body.recorded).toBe(30);
      const ids = first.body.events.map((e: any) => BigInt(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1))); // request order
      const retry = await kpi(batch);
      expect(retry.status).toBe(201);
      expect(retry.body).toMatchObject({ recorded: 0, duplicates: 30 });
      expect(retry.body.events.map((e: any) => e.id)).toEqual(first.body.events.map((e: any) => e.id));
      expect(await countEvents(domain)).toBe(31);
    });

    it('correlation ids and Idempotency-Key headers follow the platform rule: up to 200 of [A-Za-z0-9._:-]', async () => {
      const { domain, metric } = await policy();
      const long = `${domain}-`.padEnd(200, 'k');
      expect((await kpi({ domain, metric, success: true, correlation_id: long })).status).toBe(201);
      const header = `${domain}-h`.padEnd(200, 'h');
      expect((await kpi({ domain, metric, success: true }, { headers: { 'idempotency-key': header } })).status).toBe(201);
      const tooLong = await kpi({ domain, metric, success: true }, { headers: { 'idempotency-key': `${header}h` } });
      expect([tooLong.status, tooLong.body.error]).toEqual([400, 'validation_failed']);
      expect(await countEvents(domain)).toBe(2);
    });

    it('an Idempotency-Key header keys events without a correlation_id', async () => {
      const { domain, metric } = await policy();
      const key = `k-${domain}`;
      const body = { events: successes(domain, metric, 3, 1) };
      expect((await kpi(body, { headers: { 'idempotency-key': key } })).body.recorded).toBe(3);
      expect((await kpi(body, { headers: { 'idempotency-key': key } })).body.duplicates).toBe(3);
      const changed = await kpi({ events: successes(domain, metric, 3, 0) }, { headers: { 'idempotency-key': key } });
      expect([changed.status, changed.body.error]).toEqual([409, 'idempotency_conflict']);
      expect(await countEvents(domain)).toBe(3);
    });

    it('the same correlation_id with a different event is 409 and the whole batch is rolled back', async () => {
      const { domain, metric } = await policy();
      await kpi({ domain, metric, success: true, correlation_id: `${domain}-x` });
      const res = await kpi({ events: [{ domain, metric, success: true, correlation_id: `${domain}-new` }, { domain, metric, success: false, correlation_id: `${domain}-x` }] });
      expect([res.status, res.body.error]).toEqual([409, 'idempotency_conflict']);
      expect(await countEvents(domain)).toBe(1);
    });

    it('bad input is 4xx and records nothing', async () => {
      const { domain, metric } = await policy();
      const good = { domain, metric, success: true };
      const cases: Array<[unknown, string]> = [
        [{ domain, metric }, 'success|value'],
        [{ domain, metric, success: true, value: 1 }, 'success|value'],
        [{ domain, metric, value: 'NaN' }, 'value'],
        [{ domain, metric, value: 'Infinity' }, 'value'],
        [{ domain, metric, value: '1e400' }, 'value'],
        [{ domain, metric, value: 'abc' }, 'value'],
        [{ domain, metric, value: true }, 'value'],
        [{ domain, metric, success: 'yes' }, 'success'],
        [{ metric, success: true }, 'domain'],
        [{ domain: 'bad domain!', metric, success: true }, 'domain'],
        [{ domain, metric: 'Bad Metric', success: true }, 'metric'],
        [{ events: [] }, 'events'],
        [{ events: [good, { domain, metric }] }, 'events.1.success|value'],
        [{ events: [good, { domain, metric, value: 'NaN' }] }, 'events.1.value'],
        [{ events: Array.from({ length: 1001 }, () => good) }, 'events'],
        [{ ...good, events: [good] }, 'events'],
        [{ domain, metric, success: true, correlation_id: 'has space' }, 'correlation_id'],
        [{ domain, metric, success: true, correlation_id: 'k'.repeat(201) }, 'correlation_id'],
      ];
      for (const [body, field] of cases) {
        const res = await kpi(body);
        expect([res.status, res.body.error]).toEqual([400, 'validation_failed']);
        expect(res.body.message).toContain(field);
      }
      // JSON cannot carry NaN; a body that tries is not JSON at all.
      const raw = await t.http('POST', `${API}/kpi`, undefined, { token: engine, raw: `{"domain":"${domain}","metric":"${metric}","value":NaN}`, headers: { 'content-type': 'application/json' } });
      expect(raw.status).toBe(400);
      // A stream is one kind: success events, then a value event for it, is refused.
      expect((await kpi(good)).status).toBe(201);
      const mixed = await kpi({ domain, metric, value: 3 });
      expect([mixed.status, mixed.body.error]).toEqual([409, 'kpi_kind_mismatch']);
      const mixedBatch = await kpi({ events: [{ domain, metric: 'other', value: 1 }, { domain, metric: 'other', success: true }] });
      // A batch that mixes them for one stream contradicts itself: a validation error naming the event.
      expect([mixedBatch.status, mixedBatch.body.error]).toEqual([400, 'validation_failed']);
      expect(mixedBatch.body.details.fields).toEqual([{ field: 'events.1.success|value', problems: [expect.stringContaining('mixes success and value')] }]);
      expect(await countEvents(domain)).toBe(1);
    });

    it('a token bound to other domains may not record for this one; a viewer may not record', async () => {
      const { domain, metric } = await policy();
      const bound = await t.token('engine', { domains: ['SOMEWHERE_ELSE'] });
      const res = await kpi({ domain, metric, success: true }, { token: bound });
      expect([res.status, res.body.error]).toEqual([403, 'domain_not_bound']);
      expect((await kpi({ domain, metric, success: true }, { token: viewer })).status).toBe(403);
      expect(await countEvents(domain)).toBe(0);
    });

    it('kpi_event is append-only', async () => {
      await expect(t.sql(`UPDATE kpi_event SET success = false`)).rejects.toThrow(/append-only/);
      await expect(t.sql(`DELETE FROM kpi_event`)).rejects.toThrow(/append-only/);
    });
  });

  describe('evaluation', () => {
    it('unknown domain/metric is 404, missing or bad query 400', async () => {
      const res = await evaluate('NO_SUCH_DOMAIN', 'nothing');
      expect([res.status, res.body.error]).toEqual([404, 'regression_policy_not_found']);
      expect((await t.http('POST', `${API}/evaluate?domain=WHOLESALE`, undefined, { token: engine })).status).toBe(400);
      expect((await t.http('POST', `${API}/evaluate?domain=bad!&metric=x`, undefined, { token: engine })).status).toBe(400);
      expect(await t.sql(`SELECT 1 FROM regression_state WHERE domain = 'NO_SUCH_DOMAIN'`)).toHaveLength(0);
    });

    it('too few events: insufficient_data, never ok, no action', async () => {
      const fewer = await policy({ min_events: 20 });
      await kpi({ events: successes(fewer.domain, fewer.metric, 35, 1) }); // 20 current, 15 baseline
      const res = await evaluate(fewer.domain, fewer.metric);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'insufficient_data', reason: 'insufficient_baseline_events', n_current: 20, n_baseline: 15, action: { fired: false, status: 'none' } });
      const empty = await policy();
      expect((await evaluate(empty.domain, empty.metric)).body).toMatchObject({ status: 'insufficient_data', n_current: 0, baseline: null });
      expect(await t.sql(`SELECT 1 FROM regression_event WHERE domain = $1 AND type = 'triggered'`, [fewer.domain])).toHaveLength(0);
    });

    it('a disabled policy evaluates as disabled and takes no action, whatever the data', async () => {
      const { domain, metric } = await policy({ enabled: false });
      await kpi({ events: [...successes(domain, metric, 40, 1), ...successes(domain, metric, 20, 0)] });
      const res = await evaluate(domain, metric);
      expect(res.body).toMatchObject({ status: 'disabled', reason: 'policy_disabled', current: 0, baseline: 1, drop: 1, action: { fired: false } });
      expect(await t.sql(`SELECT 1 FROM regression_event WHERE domain = $1 AND type = 'triggered'`, [domain])).toHaveLength(0);
    });

    it('success rates: ok while stable; a drop triggers ALERT once, stays triggered without re-firing, and fires again after recovery', async () => {
      const { domain, metric } = await policy({ alpha: 0.01 });
      await kpi({ events: successes(domain, metric, 60, 0.9) });
      expect((await evaluate(domain, metric)).body).toMatchObject({ status: 'ok', reason: 'drop_below_threshold' });

      await kpi({ events: successes(domain, metric, 20, 0.3) });
      const first = await evaluate(domain, metric);
      expect(first.body).toMatchObject({ status: 'triggered', reason: 'drop_significant', kind: 'success_rate', n_current: 20, n_baseline: 40 });
      expect(first.body.p_value).toBeLessThan(0.01);
      expect(first.body.action).toMatchObject({ type: 'ALERT', fired: true, status: 'done', detail: 'alert recorded' });

      const again = await evaluate(domain, metric);
      expect(again.body).toMatchObject({ status: 'triggered', action: { fired: false, status: 'done' } });

      await kpi({ events: successes(domain, metric, 60, 0.9) });
      expect((await evaluate(domain, metric)).body.status).toBe('ok');
      await kpi({ events: successes(domain, metric, 20, 0.3) });
      expect((await evaluate(domain, metric)).body.action).toMatchObject({ fired: true });

      const events = (await t.http('GET', `${API}/events?domain=${domain}`, undefined, { token: viewer })).body.items;
      expect(events.filter((e: any) => e.type === 'triggered')).toHaveLength(2);
      expect(events.filter((e: any) => e.type === 'action_taken')).toHaveLength(2);
      const page = (await t.http('GET', `${API}/events?domain=${domain}&type=triggered&limit=1`, undefined, { token: viewer })).body;
      const triggered = page.items;
      expect(triggered).toEqual([expect.objectContaining({ domain, metric, type: 'triggered', action: 'ALERT', principal: expect.stringMatching(/^engine-/) })]);
      expect(triggered[0].details).toMatchObject({ trigger: 2, kind: 'success_rate', n_current: 20 });
      // The platform's paging shape: ?before=<next_cursor> reads the older page; the last page has no cursor.
      expect(page.next_cursor).toBe(triggered[0].id);
      const older = (await t.http('GET', `${API}/events?domain=${domain}&type=triggered&limit=1&before=${page.next_cursor}`, undefined, { token: viewer })).body;
      expect(older.items.map((e: any) => e.details.trigger)).toEqual([1]);
      expect(older.next_cursor).toBeNull();
      const twoPages = (await t.http('GET', `${API}/events?domain=${domain}&type=triggered&limit=2`, undefined, { token: viewer })).body;
      expect([twoPages.items.length, twoPages.next_cursor]).toEqual([2, null]);
      expect((await t.http('GET', `${API}/events?limit=0`, undefined, { token: viewer })).status).toBe(400);
      expect((await t.http('GET', `${API}/events?since=yesterday`, undefined, { token: viewer })).status).toBe(400);
      const state = (await t.http('GET', `${API}/state?domain=${domain}`, undefined, { token: viewer })).body;
      expect(state).toEqual([expect.objectContaining({ domain, metric, status: 'triggered', trigger_count: 2, action_status: 'done', evaluations: 5 })]);
      const audit = await t.sql(`SELECT action, principal FROM audit_log WHERE subject = $1 AND action LIKE 'regression_tripwire.%' ORDER BY id`, [`regression_tripwire:${domain}/${metric}`]);
      expect(audit.map((a) => a.action)).toEqual(['regression_tripwire.policy.create', 'regression_tripwire.triggered', 'regression_tripwire.action', 'regression_tripwire.triggered', 'regression_tripwire.action']);
      expect(audit[2].principal).toBe('regression_tripwire');
    });

    it('a drop that is large but not significant stays ok with alpha, and triggers with the plain threshold', async () => {
      const a = await policy({ alpha: 0.01, max_drop_fraction: 0.2 });
      const b = await policy({ alpha: null, max_drop_fraction: 0.2 });
      for (const p of [a, b]) await kpi({ events: [...successes(p.domain, p.metric, 40, 0.5), ...successes(p.domain, p.metric, 20, 0.35)] });
      expect((await evaluate(a.domain, a.metric)).body).toMatchObject({ status: 'ok', reason: 'drop_not_significant' });
      expect((await evaluate(b.domain, b.metric)).body).toMatchObject({ status: 'triggered', reason: 'drop_exceeds_threshold', p_value: expect.any(Number) });
    });

    it('value metrics: the mean of value, Welch-tested', async () => {
      const { domain, metric } = await policy({ metric: 'roi', max_drop_fraction: 0.25, alpha: 0.01 });
      const wave = (mean: number, n: number) => Array.from({ length: n }, (_, i) => mean + ((i % 5) - 2) * 0.1 * mean);
      await kpi({ events: values(domain, metric, wave(100, 60)) });
      const ok = await evaluate(domain, metric);
      expect(ok.body).toMatchObject({ status: 'ok', kind: 'mean_value' });
      expect(ok.body.baseline).toBeCloseTo(100, 9);
      await kpi({ events: values(domain, metric, wave(60, 20)).map((e) => ({ ...e, value: String(e.value) })) }); // decimal strings are numbers
      const res = await evaluate(domain, metric);
      expect(res.body).toMatchObject({ status: 'triggered', kind: 'mean_value', reason: 'drop_significant', n_current: 20, n_baseline: 40 });
      expect(res.body.current).toBeCloseTo(60, 9);
      expect(res.body.baseline).toBeCloseTo(100, 9);
      expect(res.body.drop).toBeCloseTo(0.4, 9);
      expect(res.body.p_value).toBeLessThan(1e-6);
      const policies = (await t.http('GET', `${API}/policies`, undefined, { token: viewer })).body;
      expect(policies.find((p: any) => p.domain === domain && p.metric === metric).kind).toBe('mean_value');
    });

    it('concurrent evaluations of a new trigger fire the action exactly once', async () => {
      const { domain, metric } = await policy();
      await kpi({ events: [...successes(domain, metric, 40, 1), ...successes(domain, metric, 20, 0)] });
      const results = await Promise.all(Array.from({ length: 8 }, () => evaluate(domain, metric)));
      expect(results.every((r) => r.status === 200 && r.body.status === 'triggered')).toBe(true);
      expect(results.filter((r) => r.body.action.fired)).toHaveLength(1);
      expect(await t.sql(`SELECT 1 FROM regression_event WHERE domain = $1 AND type = 'action_taken'`, [domain])).toHaveLength(1);
    });

    it('the window read is a bounded index scan: it touches window + baseline rows, not the history', async () => {
      const { domain, metric } = await policy();
      await t.sql(
        `INSERT INTO kpi_event (domain, metric, success, recorded_at, recorded_by) SELECT $1, $2, g % 3 <> 0, now(), 'test' FROM generate_series(1, 5000) g`,
        [domain, metric],
      );
      // Another stream's rows are the newest: walking the primary key backwards would read them all.
      await t.sql(
        `INSERT INTO kpi_event (domain, metric, success, recorded_at, recorded_by) SELECT $1, 'other', true, now(), 'test' FROM generate_series(1, 5000) g`,
        [domain],
      );
      await t.sql(`ANALYZE kpi_event`);
      const [plan] = await t.sql(`EXPLAIN (ANALYZE, FORMAT JSON) ${WINDOW_SQL}`, [domain, metric, 0, 60]);
      const limit = plan['QUERY PLAN'][0].Plan;
      expect(limit['Node Type']).toBe('Limit');
      const scan = limit.Plans[0];
      expect(scan['Node Type']).toMatch(/^Index (Only )?Scan$/);
      expect(scan['Index Name']).toBe('pk_kpi_event');
      expect(scan['Actual Rows']).toBeLessThanOrEqual(60);
      expect((await evaluate(domain, metric)).body).toMatchObject({ n_current: 20, n_baseline: 40 });
    });
  });

  describe('baseline reset', () => {
    it('events before the reset no longer count; the next trigger acts again; audited; operator only', async () => {
      const { domain, metric } = await policy();
      await kpi({ events: [...successes(domain, metric, 40, 1), ...successes(domain, metric, 20, 0)] });
      expect((await evaluate(domain, metric)).body.action.fired).toBe(true);

      expect((await t.http('POST', `${API}/baseline/reset`, { domain, reason: 'friday' }, { token: engine })).status).toBe(403);
      expect((await t.http('POST', `${API}/baseline/reset`, { domain }, { token: operator })).status).toBe(400);
      expect((await t.http('POST', `${API}/baseline/reset`, { domain: 'NOPE_NOPE', reason: 'x' }, { token: operator })).status).toBe(404);

      const reset = await t.http('POST', `${API}/baseline/reset`, { domain, reason: 'friday: new week', actor: 'ops' }, { token: operator });
      expect(reset.status).toBe(200);
      expect(reset.body).toEqual([expect.objectContaining({ domain, metric, status: 'insufficient_data', n_current: 0, n_baseline: 0, reset_reason: 'friday: new week' })]);
      expect(Number(reset.body[0].reset_event_id)).toBeGreaterThan(0);

      // New week: a healthy baseline, then the same drop triggers (and acts) again.
      await kpi({ events: successes(domain, metric, 40, 1) });
      await kpi({ events: successes(domain, metric, 20, 1) });
      expect((await evaluate(domain, metric)).body).toMatchObject({ status: 'ok', n_current: 20, n_baseline: 40, baseline: 1 });
      await kpi({ events: successes(domain, metric, 20, 0) });
      expect((await evaluate(domain, metric)).body).toMatchObject({ status: 'triggered', action: { fired: true } });

      const audit = await t.sql(`SELECT actor_label FROM audit_log WHERE subject = $1 AND action = 'regression_tripwire.baseline_reset'`, [`regression_tripwire:${domain}/${metric}`]);
      expect(audit).toEqual([{ actor_label: 'ops' }]);
      expect(await countEvents(domain)).toBe(140); // nothing deleted
    });
  });

  describe('OpenAPI', () => {
    it('every tripwire route documents its success type and its error answers with the one ErrorBody', async () => {
      const doc = (await t.http('GET', '/docs-json', undefined, { token: null })).body;
      const routes = Object.entries(doc.paths as Record<string, Record<string, any>>).filter(([path]) => path.startsWith(API));
      expect(routes.length).toBe(8); // events/{id} joined the seven (issue 22: the decisions page)
      for (const [path, ops] of routes) {
        for (const [method, op] of Object.entries(ops)) {
          const ok = Object.entries(op.responses as Record<string, any>).find(([status]) => status.startsWith('2'));
          expect({ route: `${method} ${path}`, schema: Boolean(ok?.[1].content?.['application/json']?.schema) }).toEqual({ route: `${method} ${path}`, schema: true });
          for (const [status, res] of Object.entries(op.responses as Record<string, any>)) {
            if (status.startsWith('4') && res.content) expect(res.content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorBodyDto');
          }
        }
      }
      const page = doc.components.schemas.RegressionEventPageDto;
      expect(Object.keys(page.properties).sort()).toEqual(['items', 'next_cursor']);
      expect(Object.keys(doc.paths[`${API}/policies/upsert`].post.responses)).toEqual(expect.arrayContaining(['200', '400']));
      expect(doc.components.schemas.RegressionPolicyResponseDto.properties.alpha).toMatchObject({ type: 'number', nullable: true });
    });
  });

  describe('scheduled evaluation', () => {
    it('every 5 minutes evaluates each enabled policy once per period', async () => {
      const on = await policy();
      const off = await policy({ enabled: false });
      await kpi({ events: [...successes(on.domain, on.metric, 40, 1), ...successes(on.domain, on.metric, 20, 0)] });
      await kpi({ events: successes(off.domain, off.metric, 60, 1) });
      const jobs = t.app.get(JobRunner);
      t.clock.advance(5 * 60_000);
      const [outcome] = await jobs.runJob('regression_tripwire.evaluate');
      expect(outcome.status).toBe('succeeded');
      const results = (outcome.result as any).results as Array<{ domain: string; status: string; fired: boolean }>;
      expect(results.find((r) => r.domain === on.domain)).toMatchObject({ status: 'triggered', fired: true });
      expect(results.find((r) => r.domain === off.domain)).toBeUndefined();
      expect(await jobs.runJob('regression_tripwire.evaluate')).toEqual([]); // this period is done
      t.clock.advance(5 * 60_000);
      const [next] = await jobs.runJob('regression_tripwire.evaluate');
      expect(((next.result as any).results as any[]).find((r) => r.domain === on.domain)).toMatchObject({ status: 'triggered', fired: false });
      const runs = await t.sql(`SELECT count(*)::int AS n FROM job_run WHERE job_name = 'regression_tripwire.evaluate' AND status = 'succeeded'`);
      expect(runs[0].n).toBeGreaterThanOrEqual(2);
    });
  });
});
