import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gateEvalRemote } from '../apps/cli/src/commands/gate-commands.js';
import { type Principal, SYSTEM_PRINCIPAL } from '#platform';
import { RiskGuardService } from '#risk-guard';
import { activePolicy, evaluate, G, intent, putPolicy, STANDARD_POLICY, uniqueName } from './support/factories/gate.js';
import { engineName } from './support/factories/risk.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { approvalCast } from './support/factories/approvals.js';

const STEPS = ['go_live', 'policy', 'risk', 'heimdall', 'tripwire', 'trust'];
// The rule's own code, and gait's: a destructive target in the apply phase.
const DELETE_REASONS = ['delete_forbidden', 'destructive_apply_requires_approval'];

describe('gate: POST /gate/evaluate over real HTTP', () => {
  let t: TestApp;
  let engine: string;
  let op1: string;
  let op2: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp();
    ({ op1, op2, viewer } = await approvalCast(t));
    // An engine token claims only the identities it is bound to (docs/auth.md): these tests' agents.
    engine = await t.token('engine', { identities: ['agent-alice', 'agent-race', 'agent-cli'] });
    expect((await putPolicy(t, 'default', STANDARD_POLICY, { token: op1 })).status).toBe(200);
  });
  afterAll(async () => t?.close());

  const decisions = async () => (await t.sql(`SELECT count(*)::int AS n FROM gate_decision`))[0].n as number;

  it('allow: 200 with gait field names, every step in the trace, stored', async () => {
    const res = await evaluate(t, { intent: intent('tool.read') }, engine);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'allow', reason_codes: ['matched_rule_allow_reads'], violations: [], matched_rule: 'allow-reads', policy: 'default', mode: 'enforce', approval_id: null, would_have_blocked: false });
    expect(res.body.policy_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.intent_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.trace_id).toMatch(/^[0-9a-f]{24}$/);
    expect(res.body.trace.map((s: { step: string }) => s.step)).toEqual(STEPS);
    const [row] = await t.sql(`SELECT verdict, reason_codes, policy_name, policy_digest, intent_digest, principal, simulate, identity FROM gate_decision WHERE id = $1`, [res.body.decision_id]);
    expect(row).toMatchObject({ verdict: 'allow', reason_codes: ['matched_rule_allow_reads'], policy_name: 'default', policy_digest: res.body.policy_digest, intent_digest: res.body.intent_digest, simulate: false, identity: 'agent-alice' });
    await expect(t.sql(`DELETE FROM gate_decision WHERE id = $1`, [res.body.decision_id])).rejects.toThrow(); // append-only
  });

  it('block: 403 with the error body, the verdict fields, reason codes and the trace', async () => {
    const res = await evaluate(t, { intent: intent('tool.delete') }, engine);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: 'gate_blocked', verdict: 'block', reason_codes: DELETE_REASONS, violations: ['destructive_action'], matched_rule: 'deny-deletes' });
    expect(res.body.details.trace.find((s: { step: string }) => s.step === 'policy')).toMatchObject({ verdict: 'block', reason_codes: DELETE_REASONS });
  });

  it('require_approval (202) -> two distinct operators approve -> the same intent is allowed once, refused the second time', async () => {
    const write = intent('tool.write');
    const asked = await evaluate(t, { intent: write }, engine);
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ verdict: 'require_approval', required_approvals: 2, require_distinct_approvers: true, reason_codes: ['approval_required_for_write'] });
    const id = asked.body.approval_id as string;
    const [req] = await t.sql(`SELECT kind, min_approvals, status, requested_by FROM approval_request WHERE id = $1`, [id]);
    expect(req).toMatchObject({ kind: 'gate_intent', min_approvals: 2, status: 'pending' });

    // Still pending: 202 again with the same request, nothing new filed.
    const early = await evaluate(t, { intent: write, approval_id: id }, engine);
    expect(early.status).toBe(202);
    expect(early.body).toMatchObject({ approval_id: id, reason_codes: expect.arrayContaining(['approval_pending']) });
    expect((await t.http('POST', `/api/governance/approvals/${id}/approve`, {}, { token: op1 })).body.status).toBe('pending');
    expect((await t.http('POST', `/api/governance/approvals/${id}/approve`, {}, { token: op1 })).status).toBe(409); // the same operator counts once
    expect((await t.http('POST', `/api/governance/approvals/${id}/approve`, {}, { token: op2 })).body.status).toBe('approved');

    // A different intent cannot ride on this grant.
    const other = await evaluate(t, { intent: { ...write, args: { path: '/srv/app/other.yaml' } }, approval_id: id }, engine);
    expect(other.status).toBe(403);
    expect(other.body.reason_codes).toContain('approval_not_for_this_intent');

    const allowed = await evaluate(t, { intent: write, approval_id: id }, engine);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ verdict: 'allow', approval_id: id, reason_codes: expect.arrayContaining(['approval_granted']) });
    expect((await t.sql(`SELECT consumed_at FROM approval_request WHERE id = $1`, [id]))[0].consumed_at).not.toBeNull();

    const again = await evaluate(t, { intent: write, approval_id: id }, engine);
    expect(again.status).toBe(403);
    expect(again.body.reason_codes).toContain('approval_already_used');
    expect(await t.sql(`SELECT approval_use, verdict FROM gate_decision WHERE approval_id = $1 ORDER BY seq`, [id])).toEqual([
      { approval_use: 'requested', verdict: 'require_approval' },
      { approval_use: null, verdict: 'require_approval' },
      { approval_use: 'refused', verdict: 'block' },
      { approval_use: 'consumed', verdict: 'allow' },
      { approval_use: 'refused', verdict: 'block' },
    ]);
  });

  it('two simultaneous re-submissions with one approved grant: exactly one is allowed', async () => {
    const write = intent('tool.write', 'agent-race');
    const id = (await evaluate(t, { intent: write }, engine)).body.approval_id as string;
    for (const op of [op1, op2]) await t.http('POST', `/api/governance/approvals/${id}/approve`, {}, { token: op });
    const answers = await Promise.all([1, 2, 3].map(() => evaluate(t, { intent: write, approval_id: id }, engine)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 403, 403]);
    expect((await t.sql(`SELECT count(*)::int AS n FROM gate_decision WHERE approval_id = $1 AND approval_use = 'consumed'`, [id]))[0].n).toBe(1);
  });

  it('simulate never blocks: 200 with simulated_verdict, would_have_blocked and the reasons; no approval filed', async () => {
    const before = (await t.sql(`SELECT count(*)::int AS n FROM approval_request`))[0].n;
    const blocked = await evaluate(t, { intent: intent('tool.delete'), simulate: true }, engine);
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ verdict: 'allow', simulate_mode: true, simulated_verdict: 'block', would_have_blocked: true, violations: [] });
    expect(blocked.body.reason_codes).toEqual([...DELETE_REASONS, 'simulate_mode_non_enforcing', 'simulated_block']);
    const write = await evaluate(t, { intent: intent('tool.write'), simulate: true }, engine);
    expect(write.status).toBe(200);
    expect(write.body).toMatchObject({ simulated_verdict: 'require_approval', approval_id: null });
    expect((await t.sql(`SELECT count(*)::int AS n FROM approval_request`))[0].n).toBe(before);
  });

  it('observe mode never blocks and counts would-have-blocked; dry_run mode answers dry_run', async () => {
    const observe = await activePolicy(t, 'observe');
    const since = new Date(t.clock.now().getTime() - 1000).toISOString();
    const before = (await t.http('GET', `${G}/stats?since=${since}`, undefined, { token: viewer })).body;
    const res = await evaluate(t, { intent: intent('tool.delete'), policy: observe.name }, engine);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'allow', mode: 'observe', would_have_blocked: true });
    expect(res.body.reason_codes).toEqual([...DELETE_REASONS, 'observe_mode_non_enforcing', 'simulated_block']);
    const after = (await t.http('GET', `${G}/stats?since=${since}`, undefined, { token: viewer })).body;
    expect(after.would_have_blocked_observe).toBe(before.would_have_blocked_observe + 1);
    expect(after.processed).toBe(before.processed + 1);

    const dry = await activePolicy(t, 'dry_run');
    const d = await evaluate(t, { intent: intent('tool.write'), policy: dry.name }, engine);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ verdict: 'dry_run', approval_id: null, would_have_blocked: true });
  });

  it('no active policy fails closed: block no_active_policy', async () => {
    const res = await evaluate(t, { intent: intent('tool.read'), policy: 'nobody-wrote-this' }, engine);
    expect(res.status).toBe(403);
    expect(res.body.reason_codes).toEqual(['no_active_policy']);
  });

  it('the kill switch blocks', async () => {
    expect((await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'gate test' }, { token: op1 })).status).toBe(200);
    try {
      const res = await evaluate(t, { intent: intent('tool.read') }, engine);
      expect(res.status).toBe(403);
      expect(res.body.reason_codes).toEqual(expect.arrayContaining(['kill_switch_engaged']));
    } finally {
      await t.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'gate test done' }, { token: op1 });
    }
    expect((await evaluate(t, { intent: intent('tool.read') }, engine)).status).toBe(200);
  });

  it('a throttled engine blocks (engine_throttled)', async () => {
    const e = engineName('GT');
    expect((await t.http('POST', '/api/governance/risk/policies/upsert', { engine: e, max_daily_exposure: '1000', max_open_risk: '1000', max_daily_loss: '1000' }, { token: op1 })).status).toBeLessThan(300);
    expect((await evaluate(t, { intent: intent('tool.read'), engine: e, amount: '10' }, engine)).status).toBe(200);
    const tripwire: Principal = { ...SYSTEM_PRINCIPAL, name: 'regression_tripwire' };
    await t.app.get(RiskGuardService).disableEngine(tripwire, e, 'contract_rate regressed');
    const res = await evaluate(t, { intent: intent('tool.read'), engine: e, amount: '10' }, engine);
    expect(res.status).toBe(403);
    expect(res.body.reason_codes).toContain('engine_throttled');
    expect(res.body.trace.find((s: { step: string }) => s.step === 'tripwire').details).toMatchObject({ disabled_by: 'regression_tripwire', disabled_reason: 'contract_rate regressed' });
  });

  it('a risk cap denial blocks with the risk reason codes; an allowed intent with reserve takes a real reservation', async () => {
    const e = engineName('GR');
    await t.http('POST', '/api/governance/risk/policies/upsert', { engine: e, max_daily_exposure: '100', max_open_risk: '100', max_daily_loss: '100' }, { token: op1 });
    const probe = await t.http('POST', '/api/governance/risk/check-and-reserve', { engine: e, amount: '500', dry_run: true }, { token: engine });
    expect(probe.status).toBe(403);
    const res = await evaluate(t, { intent: intent('tool.read'), engine: e, amount: '500' }, engine);
    expect(res.status).toBe(403);
    expect(res.body.reason_codes).toEqual(expect.arrayContaining(probe.body.reason_codes));
    expect(res.body.trace.find((s: { step: string }) => s.step === 'risk')).toMatchObject({ verdict: 'block', reason_codes: probe.body.reason_codes });

    const reserved = await evaluate(t, { intent: intent('tool.read'), engine: e, amount: '40', reserve: true, correlation_id: uniqueName('gate') }, engine);
    expect(reserved.status).toBe(200);
    expect(reserved.body.reservation_id).toEqual(expect.any(String));
    expect((await t.sql(`SELECT amount::text, status FROM risk_reservation WHERE id = $1`, [reserved.body.reservation_id]))[0]).toMatchObject({ status: 'reserved' });
    expect((await evaluate(t, { intent: intent('tool.read'), engine: e, amount: '40', reserve: true }, engine)).body.error).toBe('correlation_id_required');
  });

  it('Heimdall: a recommendation that is not production-eligible blocks with its gate_reason', async () => {
    const H = '/api/governance/heimdall';
    const domain = `GD_${Date.now().toString(36).toUpperCase()}`;
    expect((await t.http('POST', `${H}/policies/upsert`, { domain, min_confidence: 0.8, min_trials: 2, min_success_rate: 0.5, prod_use_enabled: true }, { token: op1 })).status).toBe(200);
    const rec = async () => (await t.http('POST', `${H}/recommend`, { domain, confidence: 0.9 }, { token: engine })).body.id as string;
    const few = await evaluate(t, { intent: intent('tool.read'), recommendation_id: await rec() }, engine);
    expect(few.status).toBe(403);
    expect(few.body.reason_codes).toContain('insufficient_sandbox_trials');
    expect(few.body.trace.find((s: { step: string }) => s.step === 'heimdall').details).toMatchObject({ domain, gate_reason: 'insufficient_sandbox_trials' });
    for (let i = 0; i < 2; i++) expect((await t.http('POST', `${H}/sandbox/trial`, { domain, success: true, confidence: 0.9 }, { token: engine })).status).toBe(201);
    const ok = await evaluate(t, { intent: intent('tool.read'), recommendation_id: await rec() }, engine);
    expect(ok.status).toBe(200);
    expect(ok.body.trace.find((s: { step: string }) => s.step === 'heimdall')).toMatchObject({ verdict: 'allow', details: { gate_reason: 'gate_pass' } });
  });

  it('an engine token bound to another engine or domain gets 403 and nothing is stored', async () => {
    const bound = await t.token('engine', { engines: ['OTHER_ENGINE'] });
    const n = await decisions();
    const res = await evaluate(t, { intent: intent('tool.read'), engine: 'SOMEONE_ELSE', amount: '1' }, bound);
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('engine_not_bound');
    const dom = await evaluate(t, { intent: intent('tool.read'), domain: 'WHOLESALE_OFFER' }, bound);
    expect(dom.status).toBe(403);
    expect(dom.body.error).toBe('domain_not_bound');
    expect(await decisions()).toBe(n);
    expect((await evaluate(t, { intent: intent('tool.read') }, viewer)).status).toBe(403); // viewer may not evaluate
  });

  it('bad input is 400 and changes nothing', async () => {
    const n = await decisions();
    const noIdentity = intent('tool.read');
    (noIdentity.context as Record<string, unknown>).identity = '';
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ intent: noIdentity }, 'invalid_intent'],
      [{}, 'validation_failed'],
      [{ intent: 'not an object' }, 'validation_failed'],
      [{ intent: intent(), approval_id: 'nope' }, 'validation_failed'],
      [{ intent: intent(), engine: 'E1' }, 'invalid_intent'],
      [{ intent: intent(), amount: '-5', engine: 'E1' }, 'validation_failed'],
      [{ intent: intent(), policy: 'Bad Name' }, 'validation_failed'],
      [{ intent: intent(), surprise: true }, 'validation_failed'],
    ];
    for (const [body, code] of cases) {
      const res = await evaluate(t, body, engine);
      expect([res.status, res.body.error]).toEqual([400, code]);
    }
    expect(await decisions()).toBe(n);
  });

  it('an invalid intent under a fail_closed policy for its risk class is a stored block, not a 400 (as gait)', async () => {
    const strict = await activePolicy(t, 'enforce', `${STANDARD_POLICY}fail_closed:\n  enabled: true\n  risk_classes: [high]\n`);
    const bad = intent('tool.read');
    bad.context = { workspace: '/srv/app', risk_class: 'high' }; // no identity
    const res = await evaluate(t, { intent: bad, policy: strict.name }, engine);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ reason_codes: ['fail_closed_intent_invalid'], intent_digest: null });
    expect((await evaluate(t, { intent: { ...bad, context: { ...bad.context as object, risk_class: 'low' } }, policy: strict.name }, engine)).status).toBe(400);
  });

  it('policies: PUT YAML or JSON, idempotent re-PUT, versions, activate and mode audited; invalid policy 400', async () => {
    const name = uniqueName('pol');
    const first = await putPolicy(t, name, STANDARD_POLICY, { token: op1 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ name, version_created: true, rule_count: 3, policy: { name, active_digest: first.body.digest, mode: 'enforce', trust_threshold: 0.5 } });
    const again = await putPolicy(t, name, STANDARD_POLICY, { token: op1, contentType: 'text/yaml' });
    expect(again.body).toMatchObject({ digest: first.body.digest, version_created: false });
    // The same content with other whitespace and key order is the same version (digest of the normalised policy).
    const reordered = STANDARD_POLICY.replace('schema_id: gait.gate.policy\nschema_version: 1.0.0\n', 'schema_version: "1.0.0"\nschema_id:   gait.gate.policy\n');
    expect((await putPolicy(t, name, reordered, { token: op1 })).body).toMatchObject({ digest: first.body.digest, version_created: false });

    const v2yaml = STANDARD_POLICY.replace('default_verdict: block', 'default_verdict: require_approval');
    const v2 = await t.http('PUT', `${G}/policies/${name}`, { yaml: v2yaml }, { token: op1 });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ version_created: true, policy: { active_digest: first.body.digest } }); // stored, not active yet
    const detail = await t.http('GET', `${G}/policies/${name}`, undefined, { token: viewer });
    expect(detail.body.versions.map((v: { digest: string; active: boolean }) => [v.digest, v.active]).sort()).toEqual([[first.body.digest, true], [v2.body.digest, false]].sort());
    const act = await t.http('POST', `${G}/policies/${name}/activate`, { digest: v2.body.digest, reason: 'wider default' }, { token: op2 });
    expect(act.status).toBe(200);
    expect(act.body.active_digest).toBe(v2.body.digest);
    const mode = await t.http('POST', `${G}/policies/${name}/mode`, { mode: 'observe', trust_threshold: 0.25, reason: 'stage 1' }, { token: op2 });
    expect(mode.body).toMatchObject({ mode: 'observe', trust_threshold: 0.25 });
    const listed = await t.http('GET', `${G}/policies`, undefined, { token: viewer });
    expect(listed.body.items.find((p: { name: string }) => p.name === name)).toMatchObject({ versions: 2, rule_count: 3, mode: 'observe' });
    const audit = await t.sql(`SELECT action, principal, reason FROM audit_log WHERE subject = $1 ORDER BY id`, [`gate_policy:${name}`]);
    expect(audit.map((a) => a.action)).toEqual(['gate.policy_version.create', 'gate.policy.create', 'gate.policy_version.create', 'gate.policy.update', 'gate.policy.update']);
    expect(audit.slice(-2).map((a) => a.reason)).toEqual(['wider default', 'stage 1']);

    // Only operators write; unknown version; unknown policy.
    expect((await putPolicy(t, name, STANDARD_POLICY, { token: engine })).status).toBe(403);
    expect((await t.http('POST', `${G}/policies/${name}/activate`, { digest: 'a'.repeat(64) }, { token: op1 })).body.error).toBe('policy_version_not_found');
    expect((await t.http('POST', `${G}/policies/${uniqueName()}/mode`, { mode: 'enforce' }, { token: op1 })).body.error).toBe('policy_not_found');

    // Invalid policies: 400 invalid_policy naming the problem; nothing stored.
    const versions = (await t.sql(`SELECT count(*)::int AS n FROM gate_policy_version`))[0].n;
    const bad = await putPolicy(t, uniqueName(), 'default_verdict: maybe\n', { token: op1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_policy');
    expect(bad.body.message).toMatch(/default_verdict/);
    const unknownKey = await putPolicy(t, uniqueName(), 'rules:\n  - name: x\n    effect: allow\n    surprise: 1\n', { token: op1 });
    expect([unknownKey.status, unknownKey.body.error]).toEqual([400, 'invalid_policy']);
    expect((await putPolicy(t, uniqueName(), ': : :\n', { token: op1 })).body.error).toBe('invalid_policy');
    expect((await t.http('PUT', `${G}/policies/${uniqueName()}`, { yaml: 'rules: []', mode: 'loud' }, { token: op1 })).body.error).toBe('invalid_policy');
    expect((await t.sql(`SELECT count(*)::int AS n FROM gate_policy_version`))[0].n).toBe(versions);
  });

  it('stats and metrics count decisions', async () => {
    const s = await t.http('GET', `${G}/stats`, undefined, { token: viewer });
    expect(s.status).toBe(200);
    expect(s.body.processed).toBeGreaterThan(0);
    expect(s.body.allowed + s.body.dry_run + s.body.blocked + s.body.require_approval).toBeLessThanOrEqual(s.body.processed);
    expect(s.body.approvals_used).toBe(2); // the approval test and the concurrent-use test
    expect(s.body.approval_rate).toBeGreaterThan(0);
    expect((await t.http('GET', `${G}/stats?since=yesterday`, undefined, { token: viewer })).status).toBe(400);
    const metrics = await t.http('GET', '/metrics', undefined, { token: viewer });
    expect(String(metrics.body)).toMatch(/warden_gate_decisions_total\{verdict="allow",mode="enforce",simulate="false",would_have_blocked="false"\} \d+/);
  });

  it('OpenAPI documents every gate route with its success type and error answers', async () => {
    const doc = (await t.http('GET', '/docs-json', undefined, { token: null })).body;
    const ops: Array<[string, string, string[]]> = [
      ['/api/governance/gate/evaluate', 'post', ['200', '202', '400', '403']],
      ['/api/governance/gate/policies/{name}', 'put', ['200', '400']],
      ['/api/governance/gate/policies', 'get', ['200']],
      ['/api/governance/gate/policies/{name}', 'get', ['200', '404']],
      ['/api/governance/gate/policies/{name}/activate', 'post', ['200', '404']],
      ['/api/governance/gate/policies/{name}/mode', 'post', ['200', '404']],
      ['/api/governance/gate/stats', 'get', ['200']],
      ['/api/governance/gate/trust/{identity}', 'get', ['200']],
      ['/api/governance/gate/trust/{identity}', 'put', ['200']],
      ['/api/governance/gate/trust/{identity}/outcomes', 'post', ['201', '403', '404', '409']],
    ];
    for (const [path, method, statuses] of ops) {
      const op = doc.paths[path]?.[method];
      expect(op).toBeDefined();
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining([...statuses, '401']));
    }
    expect(Object.keys(doc.paths['/api/governance/gate/policies/{name}'].put.requestBody.content)).toEqual(expect.arrayContaining(['application/yaml', 'text/yaml', 'application/json']));
  });

  it('warden gate eval --server maps the route’s answers: 200 -> 0, 403 -> 3, 202 -> 4, 400 -> 6', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-cli-'));
    try {
      const file = (name: string, body: unknown) => {
        const p = join(dir, name);
        writeFileSync(p, JSON.stringify(body));
        return p;
      };
      const run = (path: string, simulate = false) => gateEvalRemote({ server: t.url, token: engine, intent: path, json: true, simulate });
      const read = await run(file('read.json', intent('tool.read')));
      expect(read.exitCode).toBe(0);
      expect(JSON.parse(read.stdout)).toMatchObject({ ok: true, verdict: 'allow', reason_codes: ['matched_rule_allow_reads'] });
      const del = await run(file('delete.json', intent('tool.delete')));
      expect(del.exitCode).toBe(3);
      expect(JSON.parse(del.stdout)).toMatchObject({ verdict: 'block', reason_codes: DELETE_REASONS, violations: ['destructive_action'] });
      const write = await run(file('write.json', intent('tool.write', 'agent-cli')));
      expect(write.exitCode).toBe(4);
      expect(JSON.parse(write.stdout)).toMatchObject({ verdict: 'require_approval', required_approvals: 2, require_distinct_approvers: true });
      expect((await run(file('delete.json', intent('tool.delete')), true)).exitCode).toBe(0);
      const invalid = intent('tool.read');
      delete (invalid.context as Record<string, unknown>).workspace;
      expect((await run(file('invalid.json', invalid))).exitCode).toBe(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
