import { DEFAULT_POLICY, DEFAULT_POLICY_YAML } from '#changes';
import { startTestApp, type TestApp } from './support/test-app.js';
import { C, propose } from './support/factories/changes.js';

const yamlPut = (t: TestApp, yaml: string, token: string, query = '') => t.http('PUT', `${C}/policy${query}`, undefined, { token, raw: yaml, headers: { 'content-type': 'application/yaml' } });

describe('the change policy: versioned YAML, activated and audited like the gate\'s policies', () => {
  let t: TestApp;
  let op: string;
  let engine: string;
  beforeAll(async () => {
    t = await startTestApp();
    [op, engine] = await Promise.all([t.token('operator'), t.token('engine')]);
  });
  afterAll(() => t?.close());

  it("Autopack's default is in force until a version is activated, and decides every change by its digest", async () => {
    const current = await t.http('GET', `${C}/policy`, undefined, { token: engine });
    expect(current.body).toMatchObject({ source: 'built_in', active_digest: DEFAULT_POLICY.digest, default_digest: DEFAULT_POLICY.digest, yaml: DEFAULT_POLICY_YAML });
    expect((await propose(t, engine)).body.policy_digest).toBe(DEFAULT_POLICY.digest);
  });

  it('PUT stores a version (idempotent, audited); activate puts it in force; history lists both; a change is decided by it', async () => {
    const stricter = DEFAULT_POLICY_YAML.replace('max_lines_changed: 100', 'max_lines_changed: 10');
    const put = await yamlPut(t, stricter, op);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ created: true, activated: false, active_digest: DEFAULT_POLICY.digest });
    expect((await yamlPut(t, stricter, op)).body).toMatchObject({ created: false, digest: put.body.digest });
    expect((await propose(t, engine)).status).toBe(201);

    const act = await t.http('POST', `${C}/policy/activate`, { digest: put.body.digest, reason: 'tighten' }, { token: op });
    expect(act.body).toMatchObject({ active_digest: put.body.digest, reason: 'tighten' });
    const tight = await propose(t, engine);
    expect([tight.status, tight.body.policy_digest, tight.body.reason_codes]).toEqual([202, put.body.digest, ['too_many_lines']]);

    const history = await t.http('GET', `${C}/policy/history`);
    expect(history.body.versions.map((v: any) => v.digest)).toEqual([put.body.digest]);
    expect(history.body.activations.map((a: any) => [a.digest, a.reason])).toEqual([[put.body.digest, 'tighten']]);
    expect((await t.http('GET', `${C}/policy/versions/${put.body.digest}`)).body.yaml).toBe(stricter);

    // Back to Autopack's default, by its digest; the JSON form with activate works too.
    expect((await t.http('POST', `${C}/policy/activate`, { digest: DEFAULT_POLICY.digest }, { token: op })).body.active_digest).toBe(DEFAULT_POLICY.digest);
    expect((await propose(t, engine)).status).toBe(201);
    const json = await t.http('PUT', `${C}/policy`, { yaml: stricter.replace('max_lines_changed: 10', 'max_lines_changed: 20'), activate: true, reason: 'json' }, { token: op });
    expect(json.body).toMatchObject({ created: true, activated: true });
    expect((await t.http('GET', `${C}/policy`)).body).toMatchObject({ source: 'stored', active_digest: json.body.digest });

    const audit = await t.sql(`SELECT action FROM audit_log WHERE action LIKE 'changes.policy%' ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(['changes.policy_version.create', 'changes.policy.activate', 'changes.policy.activate', 'changes.policy_version.create', 'changes.policy.activate']);
  });

  it('refuses a bad policy (400 naming the field), an unknown digest (404), and anyone below operator (403)', async () => {
    const bad = await yamlPut(t, DEFAULT_POLICY_YAML.replace('max_risk_level: medium', 'max_risk_level: extreme'), op);
    expect([bad.status, bad.body.error, bad.body.details.fields[0].field]).toEqual([400, 'invalid_policy', 'auto_approve.max_risk_level']);
    expect((await yamlPut(t, 'version: 1\n', op)).body.error).toBe('invalid_policy');
    expect((await t.http('POST', `${C}/policy/activate`, { digest: 'a'.repeat(64) }, { token: op })).status).toBe(404);
    expect((await yamlPut(t, DEFAULT_POLICY_YAML, engine)).status).toBe(403);
  });
});
