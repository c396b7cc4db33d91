import { G, intent, putPolicy, STANDARD_POLICY, uniqueName } from './support/factories/gate.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * POST /gate/policies/{name}/simulate through the real app and database: the newest decisions of a
 * policy replayed under a candidate (a stored version or a text) and under the active version, and
 * nothing written. The intents come from the decision log, which keeps them without their args.
 */
// The candidate blocks reads of /secrets, lets the build agent write, and allows deletes by nobody (as before).
const CANDIDATE = `${STANDARD_POLICY}  - name: no-secrets
    priority: 1
    effect: block
    match:
      tool_names: [tool.read]
      target_values: [/secrets]
    reason_codes: [secret_read_blocked]
  - name: builder-writes
    priority: 15
    effect: allow
    match:
      tool_names: [tool.write]
      identities: [builder]
`;

const withPath = (tool: string, identity: string, path: string) => {
  const base = intent(tool, identity);
  return { ...base, args: { path, api_key: 'sk-live-do-not-log' }, targets: [{ kind: 'path', value: path, operation: tool.split('.')[1] }] };
};

describe('simulating a gate policy version against recent traffic (real HTTP, real database)', () => {
  let t: TestApp;
  let operator: string;
  let viewer: string;
  let engine: string;
  let name: string;
  let activeDigest: string;
  let candidateDigest: string;
  const simulate = (body: unknown, token = operator, policy = name) => t.http('POST', `${G}/policies/${policy}/simulate`, body, { token });
  const counts = async () => (await t.sql(`SELECT (SELECT count(*)::int FROM gate_decision) AS decisions, (SELECT count(*)::int FROM audit_log) AS audit, (SELECT count(*)::int FROM gate_policy_version) AS versions, (SELECT count(*)::int FROM approval_request) AS approvals`))[0];

  beforeAll(async () => {
    t = await startTestApp();
    [operator, viewer, engine] = await Promise.all([t.token('operator'), t.token('viewer'), t.token('engine')]);
    name = uniqueName('sim');
    const put = await putPolicy(t, name, STANDARD_POLICY, { token: operator });
    expect(put.status).toBe(200);
    activeDigest = put.body.digest;
    // Traffic, oldest first: a read, a read of /secrets, the builder's write, someone else's write, a delete.
    for (const [tool, who, path] of [['tool.read', 'alice', '/srv/a'], ['tool.read', 'alice', '/secrets'], ['tool.write', 'builder', '/srv/b'], ['tool.write', 'alice', '/srv/c'], ['tool.delete', 'alice', '/srv/d']]) {
      const res = await t.http('POST', `${G}/evaluate`, { policy: name, intent: withPath(tool, who, path), correlation_id: `sim-${tool}-${who}${path.replace(/\//g, '.')}` });
      expect([200, 202, 403]).toContain(res.status);
    }
    // A what-if evaluation is not traffic: it is not replayed.
    expect((await t.http('POST', `${G}/evaluate`, { policy: name, simulate: true, intent: withPath('tool.read', 'alice', '/secrets') })).status).toBe(200);
    const candidate = await putPolicy(t, name, CANDIDATE, { token: operator });
    expect(candidate.status).toBe(200);
    expect(candidate.body.policy.active_digest).toBe(activeDigest); // stored, not active
    candidateDigest = candidate.body.digest;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('reports exactly the decisions whose verdict the stored candidate changes, and writes nothing', async () => {
    const before = await counts();
    const res = await simulate({ digest: candidateDigest });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ policy: name, active_digest: activeDigest, mode: 'enforce', candidate_digest: candidateDigest, candidate_stored: true, limit: 200, evaluated: 5, skipped: 0, changed: 2 });
    expect(res.body.changes.map((c: any) => [c.identity, c.tool_name, c.recorded_verdict, c.active_verdict, c.candidate_verdict, c.candidate_matched_rule])).toEqual([
      ['builder', 'tool.write', 'require_approval', 'require_approval', 'allow', 'builder-writes'],
      ['alice', 'tool.read', 'allow', 'allow', 'block', 'no-secrets'],
    ]);
    expect(res.body.changes[1].candidate_reason_codes).toEqual(['secret_read_blocked']);
    expect(res.body.transitions).toEqual([
      { from: 'allow', to: 'block', count: 1 },
      { from: 'require_approval', to: 'allow', count: 1 },
    ]);
    expect(res.body.by_verdict).toEqual({ active: { allow: 2, dry_run: 0, require_approval: 2, block: 1 }, candidate: { allow: 2, dry_run: 0, require_approval: 1, block: 2 } });
    expect(await counts()).toEqual(before);
    expect((await t.http('GET', `${G}/policies/${name}`, undefined, { token: viewer })).body.active_digest).toBe(activeDigest);
    expect((await t.http('GET', '/api/governance/audit/verify', undefined, { token: operator })).body.intact).toBe(true);
  });

  it('replays only the newest N, bounded; a text candidate is judged without being stored', async () => {
    const newest = await simulate({ digest: candidateDigest, limit: 2 });
    expect(newest.body).toMatchObject({ evaluated: 2, changed: 0, limit: 2 }); // the delete and alice's write
    const before = await counts();
    const text = await simulate({ yaml: CANDIDATE.replace('identities: [builder]', 'identities: [alice]'), limit: '1000' });
    expect(text.status).toBe(200);
    expect(text.body).toMatchObject({ candidate_stored: false, evaluated: 5, changed: 2 });
    expect(text.body.changes.map((c: any) => [c.identity, c.candidate_verdict])).toEqual([['alice', 'allow'], ['alice', 'block']]);
    expect(await counts()).toEqual(before);
  });

  it('keeps each decision’s intent for replay, without its args', async () => {
    const rows = await t.sql(`SELECT intent FROM gate_decision WHERE policy_name = $1`, [name]);
    expect(rows).toHaveLength(6);
    for (const r of rows) {
      expect(r.intent).toMatchObject({ tool_name: expect.stringMatching(/^tool\./), args: {}, context: expect.objectContaining({ identity: expect.any(String) }) });
      expect(JSON.stringify(r.intent)).not.toContain('sk-live');
    }
  });

  it('refuses bad input with a stable code and changes nothing', async () => {
    const before = await counts();
    const cases: Array<[unknown, number, string]> = [
      [{}, 400, 'invalid_policy'],
      [{ digest: candidateDigest, yaml: CANDIDATE }, 400, 'invalid_policy'],
      [{ yaml: 'default_verdict: maybe\n' }, 400, 'invalid_policy'],
      [{ digest: 'ab' }, 400, 'validation_failed'],
      [{ digest: candidateDigest, limit: 0 }, 400, 'validation_failed'],
      [{ digest: candidateDigest, limit: 1001 }, 400, 'validation_failed'],
      [{ digest: candidateDigest, extra: 1 }, 400, 'validation_failed'],
      [{ digest: 'f'.repeat(64) }, 404, 'policy_version_not_found'],
    ];
    for (const [body, status, error] of cases) {
      const res = await simulate(body);
      expect([JSON.stringify(body).slice(0, 60), res.status, res.body.error]).toEqual([JSON.stringify(body).slice(0, 60), status, error]);
    }
    expect((await simulate({ digest: candidateDigest }, operator, uniqueName('nope'))).body.error).toBe('policy_not_found');
    expect((await simulate({ digest: candidateDigest }, operator, 'Bad Name')).status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('is an operator’s act: a viewer and an engine are refused', async () => {
    expect((await simulate({ digest: candidateDigest }, viewer)).status).toBe(403);
    expect((await simulate({ digest: candidateDigest }, engine)).status).toBe(403);
    expect((await t.http('POST', `${G}/policies/${name}/simulate`, { digest: candidateDigest }, { token: null })).status).toBe(401);
  });
});
