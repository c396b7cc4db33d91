import { createServer } from 'node:net';
import { OpenFeature, StandardResolutionReasons } from '@openfeature/server-sdk';
import { WardenClient } from './client.js';
import { flagFor, WardenProvider } from './openfeature.js';

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('the OpenFeature provider', () => {
  afterAll(() => OpenFeature.close());

  it('knows the four flag families, and nothing else', () => {
    expect(flagFor('go_live.enabled')?.failClosed).toBe(false);
    expect(flagFor('kill_switch.engaged')?.failClosed).toBe(true);
    expect(flagFor('engine.WHOLESALE.enabled')?.failClosed).toBe(false);
    expect(flagFor('heimdall.WHOLESALE_OFFER.prod_use_enabled')?.failClosed).toBe(false);
    for (const key of ['engine..enabled', 'engine.A-B.enabled', 'kill_switch', 'heimdall.X.eligible', 'engine.WHOLESALE.enabled.x']) expect(flagFor(key)).toBeUndefined();
  });

  it('never reached its server: ready anyway, and every flag answers fail-closed (STALE), not the caller default', async () => {
    const client = new WardenClient({ baseUrl: `http://127.0.0.1:${await deadPort()}`, token: 't', staleAfterMs: 500, reconnectDelayMs: 50 });
    await OpenFeature.setProviderAndWait('unreachable', new WardenProvider(client, { readyTimeoutMs: 100, closeClient: true }));
    const flags = OpenFeature.getClient('unreachable');
    expect(await flags.getBooleanDetails('kill_switch.engaged', false)).toMatchObject({ value: true, reason: StandardResolutionReasons.STALE });
    expect(await flags.getBooleanDetails('go_live.enabled', true)).toMatchObject({ value: false, reason: StandardResolutionReasons.STALE });
    expect(await flags.getBooleanDetails('engine.WHOLESALE.enabled', true)).toMatchObject({ value: false, reason: StandardResolutionReasons.STALE });
    expect(await flags.getBooleanDetails('heimdall.D.prod_use_enabled', true)).toMatchObject({ value: false, reason: StandardResolutionReasons.STALE });
    expect(client.stream.lastError).toMatch(/fetch failed|ECONNREFUSED/);
  });
});
