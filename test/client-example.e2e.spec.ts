import { readFile } from 'node:fs/promises';
import { ENGINE, IDENTITY, runEngine } from '../examples/engine/engine.js';
import { putPolicy, uniqueName } from './support/factories/gate.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The example engine (examples/engine, the README's first look) against the real server: what it
 * publishes is reserved and settled once per offer; what the gate holds is not reserved at all;
 * with the kill switch engaged it stops before its first offer, from its cache.
 */
describe('examples/engine: an engine on @warden/client', () => {
  let t: TestApp;
  let token: string;
  const policy = uniqueName('example-engine');
  const stamp = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 6);

  beforeAll(async () => {
    t = await startTestApp();
    const yaml = await readFile('examples/engine/policy.yaml', 'utf8');
    expect((await putPolicy(t, policy, yaml, { query: 'mode=enforce' })).status).toBe(200);
    token = await t.token('engine', { engines: [ENGINE], identities: [IDENTITY] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('publishes the small offers (reserve → act → settle) and holds the big one for approval, reserving nothing for it', async () => {
    const s = stamp();
    const offers = [
      { id: `${s}-1`, buyer: 'ACME', price: '40.00' },
      { id: `${s}-2`, buyer: 'Globex', price: '65.50' },
      { id: `${s}-3`, buyer: 'Initech', price: '250.00' },
    ];
    const acted: string[] = [];
    const log = await runEngine(offers, { baseUrl: t.url, token, policy, act: async (o) => (acted.push(o.id), o.id.endsWith('-2') ? '5' : '0') });
    expect(log).toHaveLength(3);
    expect(log[0]).toMatch(new RegExp(`^published ${s}-1 \\(reservation [0-9a-f-]{36}, settled\\)$`));
    expect(log[1]).toMatch(new RegExp(`^published ${s}-2 `));
    expect(log[2]).toMatch(new RegExp(`^held ${s}-3: approval [0-9a-f-]{36} \\(big_offer_needs_approval\\)$`));
    expect(acted).toEqual([`${s}-1`, `${s}-2`]);
    const rows = await t.sql(`SELECT correlation_id, status, amount::text, realized_loss::text FROM risk_reservation WHERE correlation_id LIKE $1 ORDER BY correlation_id`, [`offer-${s}-%`]);
    expect(rows).toEqual([
      { correlation_id: `offer-${s}-1`, status: 'settled', amount: '40.0000', realized_loss: '0.0000' },
      { correlation_id: `offer-${s}-2`, status: 'settled', amount: '65.5000', realized_loss: '5.0000' },
    ]);
  });

  it('with the kill switch engaged it stops before its first offer, reserving nothing', async () => {
    const operator = await t.token('operator');
    expect((await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'example test' }, { token: operator })).status).toBe(200);
    try {
      const s = stamp();
      const log = await runEngine([{ id: `${s}-1`, buyer: 'ACME', price: '10' }], { baseUrl: t.url, token, policy });
      expect(log).toEqual([`halted before ${s}-1: kill switch engaged (or the control state is stale)`]);
      expect(await t.sql(`SELECT 1 FROM risk_reservation WHERE correlation_id LIKE $1`, [`offer-${s}-%`])).toEqual([]);
    } finally {
      await t.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'example test' }, { token: operator });
    }
  });
});
