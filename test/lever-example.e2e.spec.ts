import { JobRunner, LeverExplorer } from '#platform';
import { RateLimiterModule, RateLimiterService } from './support/example-lever/rate-limiter.lever.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * docs/adding-a-lever.md's worked example, plugged into the real app as one more module: its job,
 * gauge, outcomes, readiness check and review section work without a line written anywhere else.
 */
describe('lever contract: a new lever joins by declaring, in its own folder', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ imports: [RateLimiterModule] });
  });
  afterAll(() => t?.close());

  it('is discovered: its job, gauge, outcomes, readiness check and review section', () => {
    const found = t.app.get(LeverExplorer).contributions();
    expect(found.levers).toContain('rate_limiter');
    expect(found.jobs).toContainEqual({ lever: 'rate_limiter', name: 'rate_limiter.refill' });
    expect(found.gauges).toContain('warden_rate_limiter_tokens');
    expect(found.decisionOutcomes.rate_limiter).toEqual(['allowed', 'limited']);
    expect(found.readiness).toContainEqual({ item: 'required_packs_installed', contributor: 'rate_limiter' });
    expect(found.reviewSections).toContain('rate_limiter');
  });

  it('its job runs once per period through the platform runner (caught up at start, then each minute)', async () => {
    const limiter = t.app.get(RateLimiterService);
    const jobs = t.app.get(JobRunner);
    expect(limiter.refills).toBe(1); // the start's catch-up ran the current period
    expect(await jobs.runJob('rate_limiter.refill')).toEqual([]);
    t.clock.advance(60_000);
    const [next] = await jobs.runJob('rate_limiter.refill');
    expect(next).toMatchObject({ job: 'rate_limiter.refill', status: 'succeeded', result: { engines: 1 } });
    expect(limiter.refills).toBe(2);
    const runs = await t.sql(`SELECT count(*)::int AS n FROM job_run WHERE job_name = 'rate_limiter.refill' AND status = 'succeeded'`);
    expect(runs[0].n).toBe(2);
  });

  it('its gauge and its outcomes are on /metrics; its check is part of the go-live checklist', async () => {
    t.app.get(RateLimiterService).take('WHOLESALE');
    const metrics = await t.http<string>('GET', '/metrics');
    expect(metrics.body).toContain('warden_rate_limiter_tokens{engine="WHOLESALE"} 1');
    expect(metrics.body).toContain('warden_decisions_total{lever="rate_limiter",outcome="allowed"} 1');
    expect(metrics.body).toContain('warden_decisions_total{lever="rate_limiter",outcome="limited"} 0');
    const checklist = await t.http('GET', '/api/governance/go-live/checklist');
    expect(checklist.body.required.required_packs_installed.parts.rate_limiter).toEqual({ ok: true, detail: '1 engine(s) limited' });
  });

  it('its review section is in the weekly report, in its declared order, with its attention item', async () => {
    t.app.get(RateLimiterService).take('WHOLESALE'); // its last token
    const review = await t.http('POST', '/api/governance/reviews/2020-W03/generate', {});
    expect(review.status).toBe(201);
    const report = review.body.report ?? review.body;
    const keys = report.sections.map((s: { key: string }) => s.key);
    expect(keys[keys.length - 1]).toBe('rate_limiter');
    expect(report.sections.at(-1)).toMatchObject({ key: 'rate_limiter', title: 'Rate limiter', data: { engines: 1, refills: 2, exhausted: ['WHOLESALE'] } });
    expect(report.needs_attention).toContainEqual({ kind: 'rate_limit_exhausted', subject: 'engine:WHOLESALE', message: 'WHOLESALE has no rate-limit token left' });
    const page = await t.http<string>('GET', '/api/governance/reviews/2020-W03.html');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Rate limiter');
  });
});
