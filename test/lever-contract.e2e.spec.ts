import { LeverExplorer } from '#platform';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The lever contract: what each lever declares on its own providers is found at start (Nest's
 * DiscoveryService), and nothing else registers it. The lists are written out here: the test is
 * the oracle, so a declaration that goes missing (or appears unannounced) fails it.
 */
describe('lever contract: discovery finds what every lever declares', () => {
  let t: TestApp;
  let found: ReturnType<LeverExplorer['contributions']>;

  beforeAll(async () => {
    t = await startTestApp();
    found = t.app.get(LeverExplorer).contributions();
  });
  afterAll(() => t?.close());

  it('finds every lever by its one name', () => {
    expect(found.levers).toEqual(['approvals', 'gate', 'go_live', 'heimdall', 'promotion', 'regression_tripwire', 'review', 'risk']);
  });

  it('finds every job, each named after its lever', () => {
    expect(found.jobs.map((j) => `${j.lever}:${j.name}`).sort()).toEqual([
      'approvals:approvals.expiry_sweep',
      'heimdall:heimdall.scorecard_close',
      'promotion:promotion.friday_review',
      'regression_tripwire:regression_tripwire.evaluate',
      'review:review.weekly_report',
      'risk:risk.day_close',
      'risk:risk.expiry_sweep',
    ]);
    for (const job of found.jobs) expect(job.name.startsWith(`${job.lever}.`)).toBe(true);
  });

  it('finds every state gauge and every lever outcome, and /metrics shows them from the first scrape', async () => {
    expect([...found.gauges].sort()).toEqual([
      'warden_go_live_enabled',
      'warden_go_live_enforced',
      'warden_go_live_state_fresh',
      'warden_job_last_success_timestamp_seconds',
      'warden_kill_switch_engaged',
      'warden_risk_headroom',
      'warden_tripwire_state',
    ]);
    expect(Object.keys(found.decisionOutcomes).sort()).toEqual(['go_live', 'heimdall', 'regression_tripwire', 'risk']);
    const metrics = await t.http<string>('GET', '/metrics');
    for (const gauge of found.gauges) expect(metrics.body).toContain(`# TYPE ${gauge} gauge`);
    for (const [lever, outcomes] of Object.entries(found.decisionOutcomes)) {
      for (const outcome of outcomes) expect(metrics.body).toContain(`warden_decisions_total{lever="${lever}",outcome="${outcome}"}`);
    }
  });

  it('finds every readiness check, and the checklist shows each lever by name', async () => {
    expect(found.readiness.map((r) => `${r.item}:${r.contributor}`).sort()).toEqual([
      'backend_complete:go_live',
      'required_packs_installed:heimdall',
      'required_packs_installed:regression_tripwire',
      'required_packs_installed:risk',
    ]);
    const checklist = await t.http('GET', '/api/governance/go-live/checklist');
    expect(Object.keys(checklist.body.required.required_packs_installed.parts).sort()).toEqual(['heimdall', 'regression_tripwire', 'risk']);
  });

  it('finds every review section, keyed by its lever, and the report has each in order', async () => {
    expect(found.reviewSections).toEqual(expect.arrayContaining(['go_live', 'risk', 'regression_tripwire', 'heimdall', 'promotion', 'approvals', 'gate']));
    expect(found.reviewSections).toHaveLength(7);
    const review = await t.http('POST', '/api/governance/reviews/2020-W02/generate', {});
    expect(review.status).toBe(201);
    expect((review.body.report ?? review.body).sections.map((s: { key: string }) => s.key)).toEqual(['go_live', 'risk', 'regression_tripwire', 'heimdall', 'promotion', 'approvals', 'gate']);
  });

  it('reserves every lever name for the lever itself: no token may take one', async () => {
    for (const name of found.levers) {
      const res = await t.http('POST', '/api/governance/tokens', { name, role: 'viewer' });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('token_name_reserved');
    }
  });
});
