import { randomBytes } from 'node:crypto';
import { type Client, OpenFeature, ProviderEvents, StandardResolutionReasons } from '@openfeature/server-sdk';
import { WardenClient } from '@warden/client';
import { WardenProvider } from '@warden/client/openfeature';
import { TcpProxy } from './support/tcp-proxy.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const BOUND_MS = 2000;
const suffix = () => randomBytes(3).toString('hex').toUpperCase();

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The OpenFeature provider against the real stream: flag evaluations through the real SDK equal
 * the control state, follow its changes, and give the fail-closed value, whatever the caller's
 * default, once the stream is cut for longer than the bound.
 */
describe('@warden/client/openfeature: the Warden provider', () => {
  let t: TestApp;
  let operator: string;
  let proxy: TcpProxy;
  let warden: WardenClient;
  let flags: Client;
  const post = async (path: string, body: unknown) => expect((await t.http('POST', path, body, { token: operator })).status).toBe(200);
  const bool = (key: string, fallback: boolean) => flags.getBooleanDetails(key, fallback);

  beforeAll(async () => {
    t = await startTestApp({ env: { WARDEN_STREAM_HEARTBEAT_MS: '200' } });
    operator = await t.token('operator');
    proxy = await TcpProxy.start(Number(new URL(t.url).port));
    warden = new WardenClient({ baseUrl: proxy.url, token: operator, staleAfterMs: BOUND_MS, reconnectDelayMs: 100 });
    await OpenFeature.setProviderAndWait(new WardenProvider(warden, { closeClient: true }));
    flags = OpenFeature.getClient();
  });
  afterAll(async () => {
    await OpenFeature.close();
    await proxy?.close();
    await t?.close();
  });

  it('flags equal the state: go-live, kill switch, engines, Heimdall; unknown keys get the caller default', async () => {
    expect(await bool('go_live.enabled', true)).toMatchObject({ value: false, reason: StandardResolutionReasons.CACHED });
    expect(await bool('kill_switch.engaged', true)).toMatchObject({ value: false, reason: StandardResolutionReasons.CACHED });
    expect((await bool('engine.WHOLESALE.enabled', false)).value).toBe(true);
    expect((await bool('engine.wholesale.enabled', false)).value).toBe(true); // upper-cased as the server does
    expect((await bool('engine.NOTIFY.enabled', true)).value).toBe(false); // seeded disabled
    expect((await bool('engine.NO_SUCH_ENGINE.enabled', true)).value).toBe(false);
    expect((await bool('heimdall.WHOLESALE_OFFER.prod_use_enabled', true)).value).toBe(false); // seeded off
    expect(await bool('not.a.warden.flag', true)).toMatchObject({ value: true, errorCode: 'FLAG_NOT_FOUND' });
    expect(await flags.getStringDetails('kill_switch.engaged', 'x')).toMatchObject({ value: 'x', errorCode: 'TYPE_MISMATCH' });
  });

  it('flags follow the changes: engage/release, an engine disabled, a domain opened', async () => {
    const changed: string[] = [];
    const handler = (e?: { message?: string }) => changed.push(e?.message ?? '');
    flags.addHandler(ProviderEvents.ConfigurationChanged, handler);
    try {
      await post('/api/governance/go-live/kill-switch/engage', { reason: 'openfeature test' });
      await until('kill_switch.engaged true', async () => (await bool('kill_switch.engaged', false)).value, 30_000);
      expect((await bool('kill_switch.engaged', false)).reason).toBe(StandardResolutionReasons.CACHED);
      await post('/api/governance/go-live/kill-switch/release', { reason: 'openfeature test' });
      await until('kill_switch.engaged false', async () => !(await bool('kill_switch.engaged', true)).value, 30_000);

      const engine = `OF_${suffix()}`;
      const policy = { engine, max_daily_exposure: '10', max_open_risk: '10', max_daily_loss: '10', reason: 't' };
      await post('/api/governance/risk/policies/upsert', { ...policy, enabled: true });
      await until(`engine.${engine}.enabled true`, async () => (await bool(`engine.${engine}.enabled`, false)).value, 30_000);
      await post('/api/governance/risk/policies/upsert', { ...policy, enabled: false });
      await until(`engine.${engine}.enabled false`, async () => !(await bool(`engine.${engine}.enabled`, true)).value, 30_000);

      const domain = `OF_${suffix()}`;
      await post('/api/governance/heimdall/policies/upsert', { domain, min_confidence: 0.8, min_trials: 2, min_success_rate: 0.5, prod_use_enabled: true });
      await until('heimdall prod use true', async () => (await bool(`heimdall.${domain}.prod_use_enabled`, false)).value, 30_000);
      expect(changed.some((m) => m.includes('kill_switch.engaged'))).toBe(true);
    } finally {
      flags.removeHandler(ProviderEvents.ConfigurationChanged, handler);
    }
  });

  it('the stream cut past the bound: every flag is its fail-closed value (reason STALE) whatever the default; then it recovers', async () => {
    let staleEvents = 0;
    const onStale = () => staleEvents++;
    flags.addHandler(ProviderEvents.Stale, onStale);
    try {
      expect((await bool('kill_switch.engaged', true)).value).toBe(false);
      proxy.stall();
      await until('stale', async () => (await bool('kill_switch.engaged', false)).reason === StandardResolutionReasons.STALE, BOUND_MS + 10_000);
      expect(await bool('kill_switch.engaged', false)).toMatchObject({ value: true, reason: 'STALE', variant: 'fail_closed' });
      expect(await bool('go_live.enabled', true)).toMatchObject({ value: false, reason: 'STALE' });
      expect(await bool('engine.WHOLESALE.enabled', true)).toMatchObject({ value: false, reason: 'STALE' });
      expect(await bool('heimdall.WHOLESALE_OFFER.prod_use_enabled', true)).toMatchObject({ value: false, reason: 'STALE' });
      await until('the Stale event', async () => staleEvents > 0, 10_000);

      proxy.heal();
      await until('fresh again', async () => (await bool('kill_switch.engaged', true)).reason === StandardResolutionReasons.CACHED, 30_000);
      expect((await bool('kill_switch.engaged', true)).value).toBe(false);
      expect((await bool('engine.WHOLESALE.enabled', false)).value).toBe(true);
    } finally {
      flags.removeHandler(ProviderEvents.Stale, onStale);
    }
  });
});
