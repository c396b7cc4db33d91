import pg from 'pg';
import { startTestApp, type TestApp } from './support/test-app.js';

const R = '/api/governance/risk';
const G = '/api/governance/go-live';

/** `name{labels} value` lines of a Prometheus text exposition, as a map from series to value. */
function parse(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

// The outcomes operators alert on, written out here rather than imported: the test is the oracle.
const KNOWN_DECISIONS: Array<[string, string]> = [
  ['go_live', 'kill_switch_engaged'],
  ['go_live', 'go_live_disabled'],
  ['go_live', 'governance_unavailable'],
  ['go_live', 'kill_switch.engage'],
  ['go_live', 'enable_refused'],
  ['risk', 'allowed'],
  ['risk', 'allowed_observed'],
  ['risk', 'denied'],
  ['risk', 'idempotency_conflict'],
  ['risk', 'settled'],
  ['risk', 'voided'],
  ['risk', 'unavailable'],
  ['heimdall', 'trial_recorded'],
  ['heimdall', 'check_gate_pass'],
  ['heimdall', 'check_kill_switch_engaged'],
  ['heimdall', 'recommend_prod_use_disabled'],
  ['regression_tripwire', 'triggered'],
  ['regression_tripwire', 'action_kill_switch'],
  ['regression_tripwire', 'action_throttle'],
  ['regression_tripwire', 'action_failed'],
];

describe('/metrics: standard names, state gauges, counters from zero', () => {
  let t: TestApp;
  let viewer: string;
  let operator: string;
  const scrape = async () => {
    const res = await t.http<string>('GET', '/metrics', undefined, { token: viewer });
    expect(res.status).toBe(200);
    return { text: res.body, series: parse(res.body) };
  };

  beforeAll(async () => {
    // Jobs on (the default): each runs its latest period at start, so their gauges have a time.
    t = await startTestApp({ env: { JOBS_ENABLED: '1' } });
    viewer = await t.token('viewer');
    operator = await t.token('operator');
  });
  afterAll(() => t?.close());

  it('the first scrape has every state gauge, every known decision at 0, and the stock process_/nodejs_ names', async () => {
    const { text, series } = await scrape();
    // Stock names, no prefix: dashboards and alerts written for any Node service work unchanged.
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).not.toMatch(/warden_process_|warden_nodejs_/);

    expect(series.get('warden_go_live_enabled')).toBe(0);
    expect(series.get('warden_kill_switch_engaged')).toBe(0);
    expect(series.get('warden_go_live_enforced')).toBe(0);
    expect(series.get('warden_go_live_state_fresh')).toBe(1);
    // The seeded risk policies: nothing used yet, so headroom is the whole cap.
    expect(series.get('warden_risk_headroom{engine="GLOBAL",cap="exposure"}')).toBe(1500);
    expect(series.get('warden_risk_headroom{engine="WHOLESALE",cap="loss"}')).toBe(200);
    // The seeded tripwire policies, never evaluated (they are disabled until an operator enables them).
    const states = ['never_evaluated', 'ok', 'insufficient_data', 'triggered', 'disabled'];
    for (const state of states) {
      expect(series.get(`warden_tripwire_state{domain="CAPITAL",metric="roi_event",state="${state}"}`)).toBe(state === 'never_evaluated' ? 1 : 0);
    }
    for (const job of ['risk.day_close', 'risk.expiry_sweep', 'heimdall.scorecard_close', 'regression_tripwire.evaluate']) {
      expect(series.get(`warden_job_last_success_timestamp_seconds{job="${job}"}`)).toBeGreaterThan(1.7e9);
    }
    for (const [lever, outcome] of KNOWN_DECISIONS) {
      expect(series.get(`warden_decisions_total{lever="${lever}",outcome="${outcome}"}`)).toBe(0);
    }
  });

  it('engaging the kill switch sets its gauge to 1 at once; releasing sets it back', async () => {
    expect((await t.http('POST', `${G}/kill-switch/engage`, { reason: 'metrics test' }, { token: operator })).status).toBe(200);
    let { series } = await scrape();
    expect(series.get('warden_kill_switch_engaged')).toBe(1);
    expect(series.get('warden_decisions_total{lever="go_live",outcome="kill_switch.engage"}')).toBe(1);
    expect((await t.http('POST', `${G}/kill-switch/release`, { reason: 'metrics test done' }, { token: operator })).status).toBe(200);
    ({ series } = await scrape());
    expect(series.get('warden_kill_switch_engaged')).toBe(0);
  });

  it('a reservation shrinks the engine and GLOBAL headroom by its amount', async () => {
    const policy = { engine: 'METRICS', max_daily_exposure: '100', max_open_risk: '50', max_daily_loss: '20', max_actions_per_day: 10 };
    expect((await t.http('POST', `${R}/policies/upsert`, policy, { token: operator })).status).toBe(200);
    const before = (await scrape()).series;
    expect(before.get('warden_risk_headroom{engine="METRICS",cap="exposure"}')).toBe(100);
    expect(before.get('warden_risk_headroom{engine="METRICS",cap="open_risk"}')).toBe(50);
    expect(before.get('warden_risk_headroom{engine="METRICS",cap="actions"}')).toBe(10);

    const reserved = await t.http('POST', `${R}/check-and-reserve`, { engine: 'METRICS', amount: '30.5', correlation_id: 'metrics-1' }, { token: operator });
    expect(reserved.status).toBe(201);
    const after = (await scrape()).series;
    expect(after.get('warden_risk_headroom{engine="METRICS",cap="exposure"}')).toBe(69.5);
    expect(after.get('warden_risk_headroom{engine="METRICS",cap="open_risk"}')).toBe(19.5);
    expect(after.get('warden_risk_headroom{engine="METRICS",cap="actions"}')).toBe(9);
    expect(after.get('warden_risk_headroom{engine="METRICS",cap="loss"}')).toBe(20);
    expect(after.get('warden_risk_headroom{engine="GLOBAL",cap="exposure"}')).toBe(before.get('warden_risk_headroom{engine="GLOBAL",cap="exposure"}')! - 30.5);
    expect(after.get('warden_decisions_total{lever="risk",outcome="allowed"}')).toBe(1);
  });

  it('with the database refusing connections, /metrics still answers with the last values', async () => {
    const before = (await scrape()).series; // also warms the viewer token's cache (5 s)
    const name = new URL(t.databaseUrl).pathname.slice(1);
    const admin = new pg.Client({ connectionString: process.env.WARDEN_TEST_PG_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
      await scrape();
      // Readings that failed are counted as the scrape is written, so they show from the next one.
      const { series } = await scrape();
      expect(series.get('warden_risk_headroom{engine="METRICS",cap="exposure"}')).toBe(before.get('warden_risk_headroom{engine="METRICS",cap="exposure"}'));
      expect(series.get('warden_tripwire_state{domain="CAPITAL",metric="roi_event",state="never_evaluated"}')).toBe(1);
      expect(series.get('warden_kill_switch_engaged')).toBe(0);
      expect(series.get('warden_metrics_state_gauge_errors_total{gauge="warden_risk_headroom"}')).toBeGreaterThanOrEqual(1);
      expect(series.get('warden_metrics_state_gauge_errors_total{gauge="warden_job_last_success_timestamp_seconds"}')).toBeGreaterThanOrEqual(1);
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
  });
});
