import { randomBytes } from 'node:crypto';
import { LeverExplorer, StreamHub, SYSTEM_PRINCIPAL } from '#platform';
import { RiskGuardService } from '#risk-guard';
import { G, STANDARD_POLICY, uniqueName } from './support/factories/gate.js';
import { SseClient, type SseEvent } from './support/sse-client.js';
import { createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

const ENGAGE = '/api/governance/go-live/kill-switch/engage';
const RELEASE = '/api/governance/go-live/kill-switch/release';
const suffix = () => randomBytes(3).toString('hex').toUpperCase();

describe('the control-state stream (GET /api/governance/stream)', () => {
  let a: TestApp;
  let b: TestApp;
  let operator: string;
  const open: SseClient[] = [];
  const connect = async (t: TestApp, token: string | null, lastEventId?: string) => {
    const c = await SseClient.connect(t.url, token, { lastEventId });
    open.push(c);
    return c;
  };
  const engage = async (reason = 'stream test') => expect((await a.http('POST', ENGAGE, { reason }, { token: operator })).status).toBe(200);
  const release = async (reason = 'stream test') => expect((await a.http('POST', RELEASE, { reason }, { token: operator })).status).toBe(200);
  const policy = (engine: string, enabled: boolean) =>
    a.http('POST', '/api/governance/risk/policies/upsert', { engine, max_daily_exposure: '10', max_open_risk: '10', max_daily_loss: '10', enabled, reason: 't' }, { token: operator });

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    a = await startTestApp({ databaseUrl });
    // B beats fast, so the heartbeat is seen within the test's time.
    b = await startTestApp({ databaseUrl, env: { WARDEN_STREAM_HEARTBEAT_MS: '200' } });
    operator = await a.token('operator');
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('refuses a request without a valid token (401), before any stream starts', async () => {
    for (const token of [null, 'not-a-token-0000000000000']) {
      const c = await connect(b, token);
      expect(c.status).toBe(401);
      expect(JSON.parse(c.body!).error).toBe('unauthorized');
    }
  });

  it('starts with a snapshot; a kill-switch engage made on instance A reaches a client on instance B', async () => {
    const c = await connect(b, operator);
    expect(c.status).toBe(200);
    expect(c.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(c.headers.get('x-accel-buffering')).toBe('no');
    expect(c.headers.get('cache-control')).toBe('no-store');
    const snapshot = await c.next((e) => e.event === 'snapshot');
    expect(c.events[0]).toBe(snapshot);
    expect(snapshot.data).toMatchObject({ resumed: false, reason: 'no_last_event_id', position: snapshot.id });
    expect(snapshot.data.state.go_live).toMatchObject({ go_live_enabled: false, kill_switch_engaged: false });
    expect(snapshot.data.state.risk.GLOBAL).toMatchObject({ engine: 'GLOBAL', enabled: true });
    expect(Object.keys(snapshot.data.state).sort()).toEqual(['gate', 'go_live', 'heimdall', 'risk']);

    await engage('incident on A');
    const engaged = await c.next((e) => e.event === 'kill_switch.engaged');
    expect(Number(engaged.id)).toBeGreaterThan(Number(snapshot.id));
    expect(engaged.data).toMatchObject({ id: engaged.id, type: 'kill_switch.engaged', lever: 'go_live', data: { kill_switch_engaged: true, reason: 'incident on A' } });
    await release();
    await c.next((e) => e.event === 'kill_switch.released');
  });

  it('resumes after a disconnect with Last-Event-ID, missing no event, on either instance', async () => {
    const first = await connect(b, operator);
    await first.next((e) => e.event === 'snapshot');
    await engage('before the cut');
    const seen = await first.next((e) => e.event === 'kill_switch.engaged');
    first.close();

    const expected: string[] = [];
    for (let i = 0; i < 4; i++) {
      await release(`while away ${i}`);
      await engage(`while away ${i}`);
      expected.push('kill_switch.released', 'kill_switch.engaged');
    }
    const engine = `RESUME_${suffix()}`;
    expect((await policy(engine, false)).status).toBe(200);
    expected.push('risk_policy.disabled');
    await release('back');
    expected.push('kill_switch.released');

    for (const t of [b, a]) {
      const again = await connect(t, operator, seen.id);
      await again.next((e) => e.event === 'kill_switch.released' && e.data.data.reason === 'back');
      const got = again.events;
      expect(got.map((e) => e.event)).toEqual(expected);
      expect(got.some((e) => e.event === 'snapshot')).toBe(false);
      const ids = got.map((e) => Number(e.id));
      expect(ids[0]).toBeGreaterThan(Number(seen.id));
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(new Set(ids).size).toBe(ids.length);
      expect(got[8].data.data).toMatchObject({ engine, enabled: false });
      again.close();
    }
  });

  it('a bound engine token sees only its engines and domains, and everyone’s kill switch', async () => {
    const mine = `MINE_${suffix()}`;
    const other = `OTHER_${suffix()}`;
    const myDomain = `DOM_${suffix()}`;
    const otherDomain = `DOM_${suffix()}`;
    for (const engine of [mine, other]) expect((await policy(engine, true)).status).toBe(200);
    const token = await a.token('engine', { engines: [mine], domains: [myDomain] });
    const bound = await connect(b, token);
    const watcher = await connect(b, operator);
    const snapshot = (await bound.next((e) => e.event === 'snapshot')).data.state;
    await watcher.next((e) => e.event === 'snapshot');
    expect(snapshot.risk[mine]).toMatchObject({ enabled: true });
    expect(snapshot.risk.GLOBAL).toBeDefined();
    expect(snapshot.risk[other]).toBeUndefined();

    expect((await policy(other, false)).status).toBe(200);
    await a.app.get(RiskGuardService).disableEngine(SYSTEM_PRINCIPAL, other, 'throttled in test', 'evt-1');
    for (const domain of [otherDomain, myDomain]) {
      const res = await a.http('POST', '/api/governance/heimdall/policies/upsert', { domain, min_confidence: 0.8, min_trials: 2, min_success_rate: 0.5, prod_use_enabled: true }, { token: operator });
      expect(res.status).toBe(200);
    }
    expect((await policy(mine, false)).status).toBe(200);
    await engage('seen by all');

    const last = await bound.next((e) => e.event === 'kill_switch.engaged');
    const mineEvents = bound.events.filter((e) => e.event !== 'snapshot' && e !== last);
    expect(mineEvents.map((e) => [e.event, e.data.data.engine ?? e.data.data.domain])).toEqual([
      ['heimdall.prod_use_enabled', myDomain],
      ['risk_policy.disabled', mine],
    ]);
    // The operator saw all of them, the other engine's and domain's included.
    await watcher.next((e) => e.event === 'kill_switch.engaged');
    const all = watcher.events.map((e) => e.event);
    expect(all).toEqual(expect.arrayContaining(['risk_policy.disabled', 'engine.throttled', 'heimdall.prod_use_enabled']));
    expect(watcher.events.filter((e) => (e.data.data?.engine ?? e.data.data?.domain) === other || e.data.data?.domain === otherDomain).length).toBe(3);

    // A resume is scoped the same way.
    const resumed = await connect(a, token, bound.events[0].id);
    await resumed.next((e) => e.event === 'kill_switch.engaged');
    expect(resumed.events.map((e) => e.event)).toEqual(['heimdall.prod_use_enabled', 'risk_policy.disabled', 'kill_switch.engaged']);
    await release();
  });

  it('an approval decision reaches its requester only', async () => {
    const requester = await a.token('engine');
    const someoneElse = await a.token('operator');
    const mine = await connect(b, requester);
    const theirs = await connect(b, someoneElse);
    await mine.next((e) => e.event === 'snapshot');
    await theirs.next((e) => e.event === 'snapshot');
    const filed = await a.http('POST', '/api/governance/approvals', { kind: 'manual', subject: `stream-${suffix()}`, reason: 'please', timeout_seconds: 300 }, { token: requester });
    expect(filed.status).toBe(202);
    const id = filed.body.approval_id;
    expect((await a.http('POST', `/api/governance/approvals/${id}/approve`, { reason: 'ok' }, { token: operator })).status).toBe(200);
    const decided = await mine.next((e) => e.event === 'approval.approved');
    expect(decided.data.data).toMatchObject({ approval_id: id, status: 'approved' });
    await engage('marker');
    await theirs.next((e) => e.event === 'kill_switch.engaged');
    expect(theirs.events.some((e) => e.event.startsWith('approval.'))).toBe(false);
    await release();
  });

  it('gate policy activation and mode are on the stream', async () => {
    const c = await connect(b, operator);
    await c.next((e) => e.event === 'snapshot');
    const name = uniqueName();
    expect((await a.http('PUT', `${G}/policies/${name}`, { yaml: STANDARD_POLICY }, { token: operator })).status).toBe(200);
    const activated = await c.next((e) => e.event === 'gate_policy.activated');
    expect(activated.data.data).toMatchObject({ name, mode: 'enforce' });
    expect((await a.http('POST', `${G}/policies/${name}/mode`, { mode: 'dry_run', reason: 't' }, { token: operator })).status).toBe(200);
    const mode = await c.next((e) => e.event === 'gate_policy.mode_changed');
    expect(mode.data.data).toMatchObject({ name, mode: 'dry_run', previous_mode: 'enforce' });
  });

  it('beats a heartbeat comment within the documented bound, and forgets a client that went away', async () => {
    const hub = b.app.get(StreamHub);
    const settle = async (n: number) => {
      const since = Date.now();
      while (hub.size !== n && Date.now() - since < 3000) await new Promise((r) => setTimeout(r, 20));
      return hub.size;
    };
    // The previous tests' clients were closed; their server side goes on the socket's close.
    const before = await settle(0);
    expect(before).toBe(0);
    const c = await connect(b, operator);
    await c.next((e) => e.event === 'snapshot');
    expect(hub.size).toBe(before + 1);
    const start = performance.now();
    while (!c.comments.some((x) => x.text === 'hb' && x.at > start) && performance.now() - start < 2000) await c.changed(100);
    expect(c.comments.some((x) => x.text === 'hb' && x.at > start)).toBe(true);
    c.close();
    expect(await settle(before)).toBe(before);
  });

  it('concurrent changes on both instances: ids in commit order, and a resume misses none', async () => {
    const c = await connect(b, operator);
    const snap = await c.next((e) => e.event === 'snapshot');
    const engines = Array.from({ length: 16 }, (_, i) => `CONC_${i}_${suffix()}`);
    const results = await Promise.all(
      engines.map((engine, i) =>
        (i % 2 ? b : a).http('POST', '/api/governance/risk/policies/upsert', { engine, max_daily_exposure: '1', max_open_risk: '1', max_daily_loss: '1', enabled: false, reason: 'c' }, { token: operator }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(engines.map(() => 200));
    const mine = (events: SseEvent[]) => events.filter((e) => engines.includes(e.data?.data?.engine));
    const deadline = Date.now() + 5000;
    while (mine(c.events).length < engines.length && Date.now() < deadline) await c.changed(100);
    const live = mine(c.events);
    expect(live.map((e) => e.data.data.engine).sort()).toEqual([...engines].sort());
    const ids = live.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    const resumed = await connect(a, operator, snap.id);
    while (mine(resumed.events).length < engines.length && Date.now() < deadline + 5000) await resumed.changed(100);
    expect(mine(resumed.events).map((e) => e.id)).toEqual(live.map((e) => e.id));
  });

  it('a token revoked while streaming has its stream ended at the next heartbeat', async () => {
    const token = await a.token('viewer');
    const c = await connect(b, token);
    await c.next((e) => e.event === 'snapshot');
    const [{ id }] = await a.sql(`SELECT id FROM api_token ORDER BY created_at DESC LIMIT 1`);
    expect((await a.http('POST', `/api/governance/tokens/${id}/revoke`, { reason: 'leaked' })).status).toBe(200);
    const since = Date.now();
    while (!c.ended && Date.now() - since < 3000) await c.changed(100);
    expect(c.ended).toBe(true);
  });

  it('every lever declares its event types through the contract', () => {
    expect(a.app.get(LeverExplorer).contributions().streamEvents).toEqual({
      go_live: ['go_live.enabled', 'go_live.disabled', 'kill_switch.engaged', 'kill_switch.released'],
      risk: ['engine.throttled', 'engine.reenabled', 'risk_policy.enabled', 'risk_policy.disabled'],
      heimdall: ['heimdall.prod_use_enabled', 'heimdall.prod_use_disabled'],
      approvals: ['approval.approved', 'approval.rejected', 'approval.expired', 'approval.cancelled'],
      gate: ['gate_policy.activated', 'gate_policy.mode_changed'],
    });
  });

  // Last: it moves A's clock a day on.
  it('a resume older than retention gets a fresh snapshot and says so', async () => {
    const c = await connect(b, operator);
    const old = await c.next((e) => e.event === 'snapshot');
    await engage('old news');
    await c.next((e) => e.event === 'kill_switch.engaged');
    a.clock.advance(25 * 3600_000);
    await release('a day later');
    const latest = await c.next((e) => e.event === 'kill_switch.released');
    expect(await a.app.get(StreamHub).prune()).toBeGreaterThan(0);

    const stale = await connect(b, operator, old.id);
    const fresh = await stale.next((e) => e.event === 'snapshot');
    expect(fresh.data).toMatchObject({ resumed: false, reason: 'beyond_retention' });
    expect(fresh.data.state.go_live.kill_switch_engaged).toBe(false);
    expect(Number(fresh.id)).toBeGreaterThanOrEqual(Number(latest.id));

    const current = await connect(b, operator, latest.id);
    await current.changed(300);
    expect(current.events.filter((e: SseEvent) => e.event === 'snapshot')).toEqual([]);
    const unknown = await connect(b, operator, '999999999');
    expect((await unknown.next((e) => e.event === 'snapshot')).data.reason).toBe('unknown_position');
  });
});
