import { DEFAULT_POLICY_YAML } from '#changes';
import { C } from './support/factories/changes.js';
import { PROMOTION } from './support/factories/promotion.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The newest version of a versioned control is the one in force, also past the ninth: the
 * repositories select the version as text, and an ORDER BY on that text alias sorted '9' after '12'
 * (the promotion rule file and the change policy both answered an old version once ten existed).
 */
describe('versioned controls: the newest version is in force past ten versions', () => {
  let t: TestApp;
  let op: string;
  beforeAll(async () => {
    t = await startTestApp();
    op = await t.token('operator');
  });
  afterAll(() => t?.close());

  it('the promotion rule file: the twelfth put is the active one', async () => {
    for (let i = 1; i <= 12; i += 1) {
      const put = await t.http('PUT', `${PROMOTION}/rules`, { source: `- decision: no_go\n  condition: raroi < 0.${i}\n  reason_code: floor_${i}\n`, reason: `v${i}` }, { token: op });
      expect(put.status).toBe(200);
    }
    const active = (await t.http('GET', `${PROMOTION}/rules`)).body;
    expect(active).toMatchObject({ version: '12', reason: 'v12' });
    expect(active.source).toContain('floor_12');
  });

  it('the change policy: the twelfth activation is in force, and the history lists it first', async () => {
    const digests: string[] = [];
    for (let i = 1; i <= 12; i += 1) {
      const yaml = DEFAULT_POLICY_YAML.replace('max_lines_changed: 100', `max_lines_changed: ${100 + i}`);
      const put = await t.http('PUT', `${C}/policy`, undefined, { token: op, raw: yaml, headers: { 'content-type': 'application/yaml' } });
      expect(put.status).toBe(200);
      expect((await t.http('POST', `${C}/policy/activate`, { digest: put.body.digest, reason: `v${i}` }, { token: op })).status).toBe(200);
      digests.push(put.body.digest);
    }
    const current = (await t.http('GET', `${C}/policy`)).body;
    expect(current.digest ?? current.active_digest).toBe(digests[11]);
    const history = (await t.http('GET', `${C}/policy/history`)).body;
    const first = (Array.isArray(history) ? history : history.items ?? history.activations)[0];
    expect(first.digest).toBe(digests[11]);
  });
});
