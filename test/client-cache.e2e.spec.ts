import { randomBytes } from 'node:crypto';
import { WardenClient } from '@warden/client';
import { TcpProxy } from './support/tcp-proxy.js';
import { createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

const ENGAGE = '/api/governance/go-live/kill-switch/engage';
const RELEASE = '/api/governance/go-live/kill-switch/release';
/** The servers beat every 200 ms here, so a bound of a few seconds is many heartbeats wide. */
const HEARTBEAT_MS = '200';
const BOUND_MS = 2000;
const suffix = () => randomBytes(3).toString('hex').toUpperCase();

/** Polls `probe` every 5 ms until true; the time it took, or a failure after `timeoutMs`. */
async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!probe()) {
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - started;
}

/**
 * @warden/client's control-state cache against the real stream: two instances on one database,
 * a real TCP proxy to cut it off. "Within the bound" here is the client's staleness bound: a change
 * must reach the cache before the cache would have gone stale anyway, and while it is still fresh
 * (so the flip came from the event, not from failing closed).
 */
describe('@warden/client: the control-state cache', () => {
  let a: TestApp;
  let b: TestApp;
  let operator: string;
  let engineToken: string;
  const clients: WardenClient[] = [];
  const proxies: TcpProxy[] = [];
  const connect = async (url: string, token: string, staleAfterMs = BOUND_MS) => {
    const c = new WardenClient({ baseUrl: url, token, staleAfterMs, reconnectDelayMs: 100 });
    clients.push(c);
    c.start();
    expect(await c.ready(30_000)).toBe(true);
    return c;
  };
  const post = async (path: string, body: unknown) => {
    const res = await a.http('POST', path, body, { token: operator });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    a = await startTestApp({ databaseUrl, env: { WARDEN_STREAM_HEARTBEAT_MS: HEARTBEAT_MS } });
    b = await startTestApp({ databaseUrl, env: { WARDEN_STREAM_HEARTBEAT_MS: HEARTBEAT_MS } });
    operator = await a.token('operator');
    engineToken = await a.token('engine');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('fails closed before its first snapshot, then answers from the snapshot', async () => {
    const c = new WardenClient({ baseUrl: b.url, token: engineToken, staleAfterMs: BOUND_MS });
    clients.push(c);
    expect(c.isFresh()).toBe(false);
    expect(c.killSwitchEngaged()).toBe(true);
    expect(c.engineEnabled('WHOLESALE')).toBe(false);
    c.start();
    expect(await c.ready(30_000)).toBe(true);
    expect(c.killSwitchEngaged()).toBe(false);
    expect(c.goLiveEnabled()).toBe(false); // the safe default
    expect(c.engineEnabled('WHOLESALE')).toBe(true); // seeded enabled, and GLOBAL too
    expect(c.engineEnabled('NOTIFY')).toBe(false); // seeded disabled
  });

  it('an engage on instance A flips a client of instance B within the bound, while fresh; a release flips it back', async () => {
    const c = await connect(b.url, engineToken);
    expect(c.killSwitchEngaged()).toBe(false);
    await post(ENGAGE, { reason: 'client cache test' });
    await until('the engage reaches the cache', () => c.stream.state.goLive?.kill_switch_engaged === true, BOUND_MS);
    expect(c.isFresh()).toBe(true);
    expect(c.killSwitchEngaged()).toBe(true);
    expect(c.prodUseEnabled('WHOLESALE_OFFER')).toBe(false);
    await post(RELEASE, { reason: 'client cache test' });
    await until('the release reaches the cache', () => !c.killSwitchEngaged(), BOUND_MS);
    expect(c.isFresh()).toBe(true);
  });

  it('engine throttles and Heimdall prod use reach the cache within the bound', async () => {
    const engine = `CACHE_${suffix()}`;
    const domain = `CACHE_${suffix()}`;
    const c = await connect(b.url, operator);
    await post('/api/governance/risk/policies/upsert', { engine, max_daily_exposure: '10', max_open_risk: '10', max_daily_loss: '10', enabled: true, reason: 't' });
    await until('the new engine is enabled in the cache', () => c.engineEnabled(engine), BOUND_MS);
    await post('/api/governance/risk/policies/upsert', { engine, max_daily_exposure: '10', max_open_risk: '10', max_daily_loss: '10', enabled: false, reason: 't' });
    await until('the disable reaches the cache', () => !c.engineEnabled(engine), BOUND_MS);
    expect(c.isFresh()).toBe(true);
    await post('/api/governance/heimdall/policies/upsert', { domain, min_confidence: 0.8, min_trials: 2, min_success_rate: 0.5, prod_use_enabled: true });
    await until('prod use reaches the cache', () => c.prodUseEnabled(domain), BOUND_MS);
  });

  it('a stalled connection: killSwitchEngaged() turns true after the staleness bound, then the client reconnects and resumes without loss', async () => {
    const proxy = await TcpProxy.start(Number(new URL(b.url).port));
    proxies.push(proxy);
    const c = await connect(proxy.url, engineToken);
    expect(c.killSwitchEngaged()).toBe(false);
    const heardBefore = c.stream.state.lastHeardAt;
    proxy.stall();
    const stalledAt = performance.now();
    await until('fail closed after the bound', () => c.killSwitchEngaged(), BOUND_MS + 10_000);
    // It held on until the bound had passed since it last heard the stream: it failed closed by staleness.
    expect(performance.now() - heardBefore).toBeGreaterThanOrEqual(BOUND_MS);
    expect(c.isFresh()).toBe(false);
    expect(c.stream.state.goLive?.kill_switch_engaged).toBe(false);
    expect(c.engineEnabled('WHOLESALE')).toBe(false);
    expect(performance.now() - stalledAt).toBeLessThan(BOUND_MS + 10_000);

    // A change while it is cut off, then the network heals: it resumes with Last-Event-ID and sees it.
    const before = c.stream.state.lastEventId;
    await post(ENGAGE, { reason: 'while stalled' });
    proxy.heal();
    await until('resumed and current', () => c.isFresh() && c.stream.state.goLive?.kill_switch_engaged === true, 30_000);
    expect(c.stream.state.goLive?.reason).toBe('while stalled');
    expect(Number(c.stream.state.lastEventId)).toBeGreaterThan(Number(before));
    await post(RELEASE, { reason: 'after the stall' });
    await until('the release', () => !c.killSwitchEngaged(), 30_000);
  });

  it('the server stopped: killSwitchEngaged() turns true after the bound and stays so', async () => {
    const c3 = await startTestApp({ databaseUrl: a.databaseUrl, env: { WARDEN_STREAM_HEARTBEAT_MS: HEARTBEAT_MS } });
    let stopped = false;
    try {
      const c = await connect(c3.url, engineToken);
      expect(c.killSwitchEngaged()).toBe(false);
      await c3.close();
      stopped = true;
      await until('fail closed once the server is gone', () => c.killSwitchEngaged(), BOUND_MS + 10_000);
      // By staleness: the last word from the stream is at least the bound old.
      expect(performance.now() - c.stream.state.lastHeardAt).toBeGreaterThanOrEqual(BOUND_MS);
      expect(c.isFresh()).toBe(false);
      expect(c.stream.status).not.toBe('open');
      // Nothing listens any more: it stays closed.
      await new Promise((r) => setTimeout(r, 500));
      expect(c.killSwitchEngaged()).toBe(true);
    } finally {
      if (!stopped) await c3.close();
    }
  });
});
