import { ConsolePanelRegistry, LeverExplorer } from '#platform';
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
    expect(found.levers).toEqual(['approvals', 'changes', 'gate', 'go_live', 'heimdall', 'platform', 'promotion', 'regression_tripwire', 'review', 'risk']);
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
    expect(Object.keys(found.decisionOutcomes).sort()).toEqual(['changes', 'go_live', 'heimdall', 'regression_tripwire', 'risk']);
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
    expect(found.reviewSections).toEqual(expect.arrayContaining(['go_live', 'risk', 'regression_tripwire', 'heimdall', 'promotion', 'approvals', 'gate', 'changes']));
    expect(found.reviewSections).toHaveLength(8);
    const review = await t.http('POST', '/api/governance/reviews/2020-W02/generate', {});
    expect(review.status).toBe(201);
    expect((review.body.report ?? review.body).sections.map((s: { key: string }) => s.key)).toEqual(['go_live', 'risk', 'regression_tripwire', 'heimdall', 'promotion', 'approvals', 'gate', 'changes']);
  });

  it('finds every console panel, and the console navigation shows exactly them, in order, each with its own script', async () => {
    expect(found.consolePanels).toEqual(expect.arrayContaining(['status', 'risk', 'tripwires', 'gate', 'heimdall', 'promotion', 'approvals', 'changes', 'reviews', 'decisions', 'audit', 'outbox', 'tokens']));
    expect(found.consolePanels).toHaveLength(13);
    const panels = t.app.get(ConsolePanelRegistry).all();
    expect(panels.map((p) => `${p.lever.name}:${p.slug}`)).toEqual([
      'go_live:status',
      'risk:risk',
      'regression_tripwire:tripwires',
      'gate:gate',
      'heimdall:heimdall',
      'promotion:promotion',
      'approvals:approvals',
      'changes:changes',
      'review:reviews',
      'gate:decisions',
      'platform:audit',
      'platform:outbox',
      'platform:tokens',
    ]);

    // Sign in as the console does (a form post), then read the navigation of every page.
    const signIn = await fetch(`${t.url}/console/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: await t.token('viewer') }).toString(),
      redirect: 'manual',
    });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    const get = (path: string) => fetch(`${t.url}${path}`, { headers: { cookie }, redirect: 'manual' });
    const expectedNav = panels.map((p, i) => [i === 0 ? '/console' : `/console/${p.slug}`, p.title]);
    for (const [path, title] of expectedNav) {
      const res = await get(path);
      expect([path, res.status]).toEqual([path, 200]);
      const html = await res.text();
      const nav = /<nav aria-label="Console pages"><ul>(.*?)<\/ul><\/nav>/s.exec(html)![1];
      expect([...nav.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => [m[1], m[2]])).toEqual(expectedNav);
      expect(html).toContain(`<a href="${path}" aria-current="page">${title}</a>`);
      // The shell's script, then this page's own: both same origin (the CSP allows no other).
      const slug = panels[expectedNav.findIndex(([p]) => p === path)].slug;
      expect([...html.matchAll(/<script src="([^"]+)" defer><\/script>/g)].map((m) => m[1])).toEqual(['/console/assets/console.js', `/console/assets/panels/${slug}.js`]);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
    for (const p of panels) {
      const js = await get(`/console/assets/panels/${p.slug}.js`);
      expect([p.slug, js.status, js.headers.get('content-type')]).toEqual([p.slug, 200, 'text/javascript; charset=utf-8']);
      expect(await js.text()).toContain(`window.WardenConsole.page(${JSON.stringify(p.slug)}, function (kit) {`);
    }
    // No other page: the home panel has no second address, an undeclared slug is not found.
    expect((await get(`/console/${panels[0].slug}`)).status).toBe(404);
    expect((await get('/console/rate-limiter')).status).toBe(404);
    expect((await get('/console/assets/panels/rate-limiter.js')).status).toBe(404);
  });

  it('reserves every lever name for the lever itself: no token may take one', async () => {
    for (const name of found.levers) {
      const res = await t.http('POST', '/api/governance/tokens', { name, role: 'viewer' });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('token_name_reserved');
    }
  });
});
