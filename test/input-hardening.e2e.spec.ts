import { PinoNestLogger } from '#platform';
import { type HttpResult, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 8, items 7-9, over real HTTP: integers are not coerced, numbers are judged by how they
 * were written, and NUL / unpaired surrogates / deep nesting are 400 — with nothing stored and
 * nothing logged as an error.
 */
const R = '/api/governance/risk';
const H = '/api/governance/heimdall';
const T = '/api/governance/regression';

const ENGINE = 'INPUT_E';
const DOMAIN = 'INPUT_D';
const METRIC = 'input_rate';

describe('input hardening over HTTP', () => {
  let t: TestApp;
  let operator: string;
  let engine: string;
  const errorLogs: unknown[] = [];
  const originalError = PinoNestLogger.prototype.error;

  beforeAll(async () => {
    PinoNestLogger.prototype.error = function (message: unknown, ...params: unknown[]) {
      errorLogs.push(message);
      return originalError.call(this, message, ...params);
    };
    t = await startTestApp();
    [operator, engine] = await Promise.all([t.token('operator'), t.token('engine')]);
    const setup: Array<[string, unknown]> = [
      [`${R}/policies/upsert`, { engine: 'GLOBAL', max_daily_exposure: null, max_open_risk: null, max_daily_loss: null }],
      [`${R}/policies/upsert`, { engine: ENGINE, max_daily_exposure: '1000000', max_open_risk: '1000000', max_daily_loss: '1000', max_actions_per_day: 100 }],
      [`${H}/policies/upsert`, { domain: DOMAIN, min_confidence: 0.5, min_trials: 1, min_success_rate: 0.5, prod_use_enabled: true }],
      [`${T}/policies/upsert`, { domain: DOMAIN, metric: METRIC, max_drop_fraction: 0.2, action: 'ALERT' }],
    ];
    for (const [path, body] of setup) expect((await t.http('POST', path, body, { token: operator })).status).toBe(200);
  });
  afterAll(async () => {
    PinoNestLogger.prototype.error = originalError;
    await t.close();
  });
  afterEach(() => {
    expect(errorLogs).toEqual([]);
  });

  /** Everything a bad request could have changed. */
  const snapshot = async () =>
    (
      await t.sql(`SELECT
        (SELECT json_agg(p ORDER BY engine) FROM risk_policy p) AS risk_policies,
        (SELECT json_agg(p ORDER BY domain) FROM heimdall_policy p) AS heimdall_policies,
        (SELECT json_agg(p ORDER BY domain, metric) FROM regression_policy p) AS regression_policies,
        (SELECT count(*) FROM risk_reservation) AS reservations,
        (SELECT count(*) FROM risk_event) AS risk_events,
        (SELECT count(*) FROM heimdall_trial) AS trials,
        (SELECT count(*) FROM heimdall_recommendation) AS recommendations,
        (SELECT count(*) FROM kpi_event) AS kpi_events,
        (SELECT count(*) FROM deal) AS deals,
        (SELECT count(*) FROM offer) AS offers,
        (SELECT count(*) FROM audit_log) AS audit_rows,
        (SELECT json_agg(g) FROM go_live_state g) AS go_live`)
    )[0];

  const raw = (path: string, text: string, token = operator, method = 'POST') =>
    t.http(method, path, undefined, { token, raw: text, headers: { 'content-type': 'application/json' } });

  /** Each case answers 400 with the code (and, when given, names the field); the database is as it was. */
  async function expectRefused(cases: Array<{ label: string; send: () => Promise<HttpResult>; code: string; field?: string }>) {
    const before = await snapshot();
    for (const c of cases) {
      const res = await c.send();
      const fields = ((res.body?.details?.fields ?? []) as Array<{ field: string }>).map((f) => f.field);
      expect({ label: c.label, status: res.status, code: res.body?.error }).toEqual({ label: c.label, status: 400, code: c.code });
      if (c.field) expect({ label: c.label, fields }).toEqual({ label: c.label, fields: expect.arrayContaining([c.field]) });
    }
    expect(await snapshot()).toEqual(before);
  }

  // Item 7: values that used to be coerced to an integer (JSON.stringify writes them as given) ...
  const coercible: unknown[] = ['', '   ', false, true, '-0', '0x10', '1e3', '1.0', ' 5', '05', '+5', 1.5, [5], {}, 'NaN'];
  // ... and JSON numbers whose value is an integer but which are not written as one.
  const rawNumbers = ['1e3', '1E3', '1.0', '-0', '5e0', '100.000'];

  const integerFields: Array<{ path: string; base: Record<string, unknown>; field: string; nullable?: boolean }> = [
    { path: `${R}/policies/upsert`, base: { engine: ENGINE }, field: 'max_actions_per_day', nullable: true },
    { path: `${R}/policies/upsert`, base: { engine: ENGINE }, field: 'reservation_ttl_seconds' },
    { path: `${T}/policies/upsert`, base: { domain: DOMAIN, metric: METRIC }, field: 'window_events' },
    { path: `${T}/policies/upsert`, base: { domain: DOMAIN, metric: METRIC }, field: 'baseline_events' },
    { path: `${T}/policies/upsert`, base: { domain: DOMAIN, metric: METRIC }, field: 'min_events' },
    { path: `${H}/policies/upsert`, base: { domain: DOMAIN }, field: 'min_trials' },
    { path: `${H}/policies/upsert`, base: { domain: DOMAIN }, field: 'window_days' },
  ];

  it('item 7: no integer field of any policy is coerced from strings, booleans, hex, exponents, -0 or fractions', async () => {
    await expectRefused(
      integerFields.flatMap(({ path, base, field, nullable }) => [
        ...[...coercible, ...(nullable ? [] : [null])].map((value) => ({
          label: `${path} ${field}=${JSON.stringify(value)}`,
          send: () => t.http('POST', path, { ...base, [field]: value }, { token: operator }),
          code: 'validation_failed',
          field,
        })),
        ...rawNumbers.map((text) => ({
          label: `${path} ${field}=${text} (raw)`,
          send: () => raw(path, `${JSON.stringify(base).slice(0, -1)},"${field}":${text}}`),
          code: 'validation_failed',
          field,
        })),
      ]),
    );
  });

  it('item 7: a JSON integer and a canonical decimal string are both accepted, and stored as the integer', async () => {
    for (const value of [250, '260']) {
      const res = await t.http('POST', `${R}/policies/upsert`, { engine: ENGINE, max_actions_per_day: value, reservation_ttl_seconds: value }, { token: operator });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ max_actions_per_day: Number(value), reservation_ttl_seconds: Number(value) });
    }
    const trip = await t.http('POST', `${T}/policies/upsert`, { domain: DOMAIN, metric: METRIC, window_events: '30', baseline_events: 60, min_events: 30 }, { token: operator });
    expect(trip.status).toBe(200);
    expect(trip.body).toMatchObject({ window_events: 30, baseline_events: 60, min_events: 30 });
    const heim = await t.http('POST', `${H}/policies/upsert`, { domain: DOMAIN, min_trials: '2', window_days: 3 }, { token: operator });
    expect(heim.status).toBe(200);
    expect(heim.body).toMatchObject({ min_trials: 2, window_days: 3 });
    const unlimited = await t.http('POST', `${R}/policies/upsert`, { engine: ENGINE, max_actions_per_day: null }, { token: operator });
    expect(unlimited.body.max_actions_per_day).toBeNull();
  });

  it('item 7: query-string limits take only canonical decimal digits', async () => {
    const lists = [`${R}/events`, `${H}/recommendations`, `${T}/events`, '/api/governance/audit'];
    const bad = ['', '%20%205', 'false', 'true', '-0', '0x10', '1e3', '1.0', '05', '+5', '5%20', '0', '1&limit=2'];
    await expectRefused(lists.flatMap((path) => bad.map((q) => ({ label: `${path}?limit=${q}`, send: () => t.http('GET', `${path}?limit=${q}`), code: 'validation_failed', field: 'limit' }))));
    for (const path of lists) expect((await t.http('GET', `${path}?limit=5`)).status).toBe(200);
  });

  let cid = 0;
  const reserveBody = (amount: string) => `{"engine":"${ENGINE}","amount":${amount},"correlation_id":"input-${++cid}"}`;

  it('item 8: an amount written with an exponent, or with more digits than a double keeps, is refused on every money route', async () => {
    const routes: Array<{ path: string; body: (amount: string) => string; field: string; token?: string }> = [
      { path: `${R}/check-and-reserve`, body: reserveBody, field: 'amount' },
      { path: `${R}/policies/upsert`, body: (a) => `{"engine":"${ENGINE}","max_daily_exposure":${a}}`, field: 'max_daily_exposure' },
      { path: `${R}/settle`, body: (a) => `{"correlation_id":"nothing-to-settle","realized_loss":${a}}`, field: 'realized_loss' },
      { path: '/api/deals', body: (a) => `{"counterparty":"acme","amount":${a}}`, field: 'amount', token: engine },
      { path: '/api/offers', body: (a) => `{"buyer":"acme","amount":${a},"confidence":0.9}`, field: 'amount', token: engine },
    ];
    const cases = routes.flatMap(({ path, body, field, token }) => [
      ...['1e3', '1E3', '1e-2', '1.5e1', '100000000000000000000000'].map((a) => ({ label: `${path} ${a}`, send: () => raw(path, body(a), token), code: 'validation_failed', field })),
      ...['1.00000000000000001', '0.30000000000000000001', '12345678901234567890', '1e400'].map((a) => ({ label: `${path} ${a}`, send: () => raw(path, body(a), token), code: 'invalid_number', field })),
    ]);
    await expectRefused(cases);
  });

  it('item 8: every other number that JSON.parse would change is refused too, naming where it is', async () => {
    await expectRefused([
      { label: 'kpi value', send: () => raw(`${T}/kpi`, `{"domain":"${DOMAIN}","metric":"${METRIC}","value":1.00000000000000001}`, engine), code: 'invalid_number', field: 'value' },
      {
        label: 'kpi batch',
        send: () => raw(`${T}/kpi`, `{"events":[{"domain":"${DOMAIN}","metric":"${METRIC}","success":true},{"domain":"${DOMAIN}","metric":"${METRIC}","value":1e999}]}`, engine),
        code: 'invalid_number',
        field: 'events.1.value',
      },
      { label: 'trial', send: () => raw(`${H}/sandbox/trial`, `{"domain":"${DOMAIN}","success":true,"confidence":0.90000000000000000001}`, engine), code: 'invalid_number', field: 'confidence' },
      { label: 'tripwire', send: () => raw(`${T}/policies/upsert`, `{"domain":"${DOMAIN}","metric":"${METRIC}","alpha":0.00500000000000000001}`), code: 'invalid_number', field: 'alpha' },
    ]);
  });

  it('item 8: amounts in plain notation keep their exact decimal value, trailing zeros included', async () => {
    for (const [text, stored] of [['1000', '1000'], ['1.5', '1.5'], ['1.50', '1.5'], ['"2.2500"', '2.25']]) {
      const res = await raw(`${R}/check-and-reserve`, reserveBody(text));
      expect(res.status).toBe(201);
      expect(res.body.amount).toBe(stored);
    }
  });

  const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  const bodiesWith = (reason: string) => [
    { path: `${R}/check-and-reserve`, text: `{"engine":"${ENGINE}","amount":"1","correlation_id":"input-bad","reason":"${reason}"}`, field: 'reason' },
    { path: `${R}/policies/upsert`, text: `{"engine":"${ENGINE}","reason":"${reason}"}`, field: 'reason' },
    { path: `${T}/policies/upsert`, text: `{"domain":"${DOMAIN}","metric":"${METRIC}","reason":"${reason}"}`, field: 'reason' },
    { path: `${H}/policies/upsert`, text: `{"domain":"${DOMAIN}","reason":"${reason}"}`, field: 'reason' },
    { path: `${T}/kpi`, text: `{"domain":"${DOMAIN}","metric":"${METRIC}","success":true,"correlation_id":"${reason}"}`, field: 'correlation_id', token: 'engine' },
    { path: `${H}/sandbox/trial`, text: `{"domain":"${DOMAIN}","success":true,"confidence":0.9,"correlation_id":"${reason}"}`, field: 'correlation_id', token: 'engine' },
    { path: `${H}/recommend`, text: `{"domain":"${DOMAIN}","confidence":0.9,"payload":{"note":"${reason}"}}`, field: 'payload.note', token: 'engine' },
    { path: '/api/deals', text: `{"counterparty":"${reason}","amount":"1"}`, field: 'counterparty', token: 'engine' },
    { path: '/api/governance/go-live/kill-switch/engage', text: `{"reason":"${reason}"}`, field: 'reason' },
  ];

  it('item 9: NUL and unpaired surrogates in any string, and bodies nested 5,000 deep, are 400 on every route, nothing stored', async () => {
    const tokenOf = (name?: string) => (name === 'engine' ? engine : operator);
    await expectRefused([
      ...bodiesWith('a\\u0000b').map((b) => ({ label: `NUL ${b.path}`, send: () => raw(b.path, b.text, tokenOf(b.token)), code: 'invalid_string', field: b.field })),
      ...bodiesWith('x\\ud800y').map((b) => ({ label: `lone high ${b.path}`, send: () => raw(b.path, b.text, tokenOf(b.token)), code: 'invalid_string', field: b.field })),
      ...bodiesWith('x\\udc00').map((b) => ({ label: `lone low ${b.path}`, send: () => raw(b.path, b.text, tokenOf(b.token)), code: 'invalid_string', field: b.field })),
      ...bodiesWith('ok').map((b) => ({ label: `deep ${b.path}`, send: () => raw(b.path, `{"x":${deep(5000)}}`, tokenOf(b.token)), code: 'invalid_json' })),
      { label: 'NUL in a key', send: () => raw(`${R}/check-and-reserve`, `{"engine":"${ENGINE}","amount":"1","a\\u0000":1}`), code: 'invalid_string' },
      { label: '65 levels', send: () => raw(`${H}/recommend`, `{"domain":"${DOMAIN}","confidence":0.9,"payload":${deep(64)}}`, engine), code: 'invalid_json' },
    ]);
  });

  it('item 9: escaped text that only looks like NUL, and real surrogate pairs, are ordinary strings', async () => {
    const res = await raw(`${R}/check-and-reserve`, `{"engine":"${ENGINE}","amount":"1","correlation_id":"input-literal","reason":"literal \\\\u0000 and \\ud83d\\ude00"}`);
    expect(res.status).toBe(201);
    const [row] = await t.sql(`SELECT reason FROM risk_event WHERE reservation_id = $1 AND kind = 'reserve'`, [res.body.reservation_id]);
    expect(row.reason).toBe('literal \\u0000 and 😀');
    const nested = await raw(`${H}/recommend`, `{"domain":"${DOMAIN}","confidence":0.9,"payload":${deep(60)}}`, engine);
    expect(nested.status).toBe(201);
  });

  it('item 9: NUL in query strings, path parameters and form bodies is 400 before any handler runs', async () => {
    await expectRefused([
      { label: 'risk events engine', send: () => t.http('GET', `${R}/events?engine=%00`), code: 'invalid_string' },
      { label: 'risk events outcome', send: () => t.http('GET', `${R}/events?outcome=a%00`), code: 'invalid_string' },
      { label: 'regression state', send: () => t.http('GET', `${T}/state?domain=${DOMAIN}%00`), code: 'invalid_string' },
      { label: 'evaluate', send: () => t.http('POST', `${T}/evaluate?domain=${DOMAIN}&metric=${METRIC}%00`, undefined, { token: engine }), code: 'invalid_string' },
      { label: 'audit subject', send: () => t.http('GET', '/api/governance/audit?subject=%00'), code: 'invalid_string' },
      { label: 'recommendation id', send: () => t.http('GET', `${H}/recommendations/%00`), code: 'invalid_string' },
      { label: 'require-prod-eligible id', send: () => t.http('POST', `${H}/recommendations/a%00/require-prod-eligible`, {}, { token: engine }), code: 'invalid_string' },
      { label: 'checklist item', send: () => t.http('PUT', '/api/governance/go-live/checklist/a%00', { attested: true }), code: 'invalid_string' },
      {
        label: 'form body',
        send: () =>
          t.http('POST', '/api/governance/go-live/kill-switch/engage', undefined, { token: operator, raw: 'reason=a%00b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
        code: 'invalid_string',
      },
    ]);
  });
});
