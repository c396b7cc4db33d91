import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { dailyAtUtc, JobRunner, loadConfig, ManualClock } from '#platform';
import { createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

const DAY = 86_400_000;

@Injectable()
class ProbeJob implements OnModuleInit {
  readonly boundaries: string[] = [];
  constructor(private readonly jobs: JobRunner) {}
  onModuleInit(): void {
    this.jobs.register({
      name: 'test.probe',
      schedule: dailyAtUtc(0, 0),
      maxCatchUp: 10,
      run: async ({ boundary, manager }) => {
        this.boundaries.push(boundary.toISOString());
        // Hold the lock a moment so a competing instance really overlaps.
        await manager.query(`SELECT pg_sleep(0.05)`);
        return { boundary: boundary.toISOString() };
      },
    });
  }
}

@Module({ providers: [ProbeJob] })
class ProbeModule {}

describe('scheduled jobs', () => {
  const clock = new ManualClock('2026-03-10T12:00:00Z');
  let databaseUrl: string;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    a = await startTestApp({ databaseUrl, clock, imports: [ProbeModule], env: { JOBS_ENABLED: '1' } });
    b = await startTestApp({ databaseUrl, clock, imports: [ProbeModule], env: { JOBS_ENABLED: '1' } });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const runs = () => [...a.app.get(ProbeJob).boundaries, ...b.app.get(ProbeJob).boundaries];
  const succeeded = () =>
    a.sql<{ period_at: Date }>(`SELECT period_at FROM job_run WHERE job_name = 'test.probe' AND status = 'succeeded' ORDER BY period_at`);

  it('the first start runs the latest period once, and the second instance does not repeat it', async () => {
    expect(runs()).toEqual(['2026-03-10T00:00:00.000Z']);
    expect((await succeeded()).map((r) => r.period_at.toISOString())).toEqual(['2026-03-10T00:00:00.000Z']);
  });

  it('registered on two instances, a job runs once per period even when both tick together', async () => {
    clock.advance(DAY);
    const outcomes = (await Promise.all([a.app.get(JobRunner).tick(), b.app.get(JobRunner).tick()])).flat();
    expect(outcomes.filter((o) => o.job === 'test.probe' && o.status === 'succeeded')).toHaveLength(1);
    expect(runs()).toEqual(['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z']);
    expect(await succeeded()).toHaveLength(2);
  });

  it('periods missed while no instance ran are caught up at the next start, oldest first', async () => {
    await b.close();
    await a.close();
    clock.advance(3 * DAY);
    a = await startTestApp({ databaseUrl, clock, imports: [ProbeModule], env: { JOBS_ENABLED: '1' } });
    b = await startTestApp({ databaseUrl, clock, imports: [ProbeModule], env: { JOBS_ENABLED: '1' } });
    expect(a.app.get(ProbeJob).boundaries).toEqual(['2026-03-12T00:00:00.000Z', '2026-03-13T00:00:00.000Z', '2026-03-14T00:00:00.000Z']);
    expect(b.app.get(ProbeJob).boundaries).toEqual([]);
    expect(await succeeded()).toHaveLength(5);
  });
});

describe('audit trail and tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('every state change is audited with its principal, and the trail rejects UPDATE and DELETE', async () => {
    const operator = await t.token('operator');
    await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'audit check', actor: 'bob' }, { token: operator });
    await t.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'audit check done' }, { token: operator });
    const trail = await t.http('GET', '/api/governance/audit?subject=go_live', undefined, { token: operator });
    expect(trail.status).toBe(200);
    expect(trail.body.items.map((i: { action: string }) => i.action)).toEqual(['go_live.kill_switch.release', 'go_live.kill_switch.engage']);
    expect(trail.body.items[1]).toMatchObject({ principal: expect.stringMatching(/^operator-/), actor_label: 'bob', reason: 'audit check' });
    const tokenEvents = await t.sql(`SELECT principal, action FROM audit_log WHERE action = 'token.create'`);
    expect(tokenEvents[0]).toEqual({ principal: 'bootstrap', action: 'token.create' });

    await expect(t.sql(`UPDATE audit_log SET reason = 'tampered'`)).rejects.toThrow(/append-only/);
    await expect(t.sql(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(t.sql(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM audit_log WHERE reason = 'tampered'`);
    expect(n).toBe(0);
  });

  it('tokens: admin only, stored hashed, bound tokens carry their binding, revoked ones stop working', async () => {
    const operator = await t.token('operator');
    expect((await t.http('POST', '/api/governance/tokens', { name: 'x', role: 'viewer' }, { token: operator })).status).toBe(403);
    const bad = await t.http('POST', '/api/governance/tokens', { name: 'x', role: 'root' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/role/);
    const created = await t.http('POST', '/api/governance/tokens', { name: 'bot', role: 'engine', engines: ['wholesale'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'bot', role: 'engine', engines: ['WHOLESALE'] });
    const [{ token_hash }] = await t.sql(`SELECT token_hash FROM api_token WHERE id = $1`, [created.body.id]);
    expect(token_hash).not.toContain(created.body.token);
    const list = await t.http('GET', '/api/governance/tokens');
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect((await t.http('GET', '/api/deals', undefined, { token: created.body.token })).status).toBe(200);
    expect((await t.http('POST', `/api/governance/tokens/${created.body.id}/revoke`, { reason: 'rotate' })).status).toBe(200);
    expect((await t.http('GET', '/api/deals', undefined, { token: created.body.token })).status).toBe(401);
    expect((await t.http('POST', `/api/governance/tokens/00000000-0000-0000-0000-000000000000/revoke`, {})).status).toBe(404);
  });

  it('responses carry a request id', async () => {
    const res = await t.http('GET', '/health', undefined, { token: null, headers: { 'x-request-id': 'req-123' } });
    expect(res.headers.get('x-request-id')).toBe('req-123');
  });
});

describe('configuration', () => {
  it('a bad variable stops the start with a message naming it', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ ENV: 'staging' })).toThrow(/ENV/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ WARDEN_BOOTSTRAP_TOKEN: 'short' })).toThrow(/WARDEN_BOOTSTRAP_TOKEN/);
    expect(loadConfig({ GO_LIVE_ENFORCE: '1' }).goLiveEnforced).toBe(true);
    expect(loadConfig({ ENV: 'production' }).goLiveEnforced).toBe(true);
    expect(loadConfig({}).goLiveEnforced).toBe(false);
  });
});
