import { generateKeys, mintApprovalToken } from '#gate';
import { evaluate, intent, putPolicy, STANDARD_POLICY } from './support/factories/gate.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { approvalCast } from './support/factories/approvals.js';
import { upsertRiskPolicy } from './support/factories/risk.js';

const KEYS = '/api/governance/gate/approval-keys';

/**
 * gait approval tokens on the server (issue 19 item 5): a token signed by a key an admin registered
 * releases a require_approval once, checked in gait's order with gait's codes, audited; anything
 * less leaves the intent held (a Warden request is filed as without tokens).
 */
describe('gate: gait approval tokens signed by registered keys', () => {
  let t: TestApp;
  let engine: string;
  let op1: string;
  const ci = generateKeys();
  const release = generateKeys();
  const stranger = generateKeys();

  beforeAll(async () => {
    t = await startTestApp();
    ({ op1 } = await approvalCast(t));
    engine = await t.token('engine', { identities: ['agent-alice', 'agent-tok', 'agent-race'] });
    expect((await putPolicy(t, 'default', STANDARD_POLICY, { token: op1 })).status).toBe(200);
  });
  afterAll(async () => t?.close());

  /** The write intent's digests, as the gate states them in its 202 (what `warden approve` takes). */
  async function held(identity: string, path: string) {
    const write = { ...intent('tool.write', identity), args: { path } };
    const asked = await evaluate(t, { intent: write }, engine);
    expect(asked.status).toBe(202);
    return { write, intentDigest: asked.body.intent_digest as string, policyDigest: asked.body.policy_digest as string };
  }

  const token = (keys: ReturnType<typeof generateKeys>, approver: string, d: { intentDigest: string; policyDigest: string }, o: { scope?: string[]; ttlMs?: number } = {}) =>
    mintApprovalToken({ ...d, approver, reasonCode: 'change_window', scope: o.scope ?? ['tool:tool.write'], ttlMs: o.ttlMs ?? 3_600_000, keys }) as unknown as Record<string, unknown>;

  it('only an admin registers a key; bad keys are 400 and a second registration 409; the list shows it; each is audited', async () => {
    expect((await t.http('POST', KEYS, { public_key: ci.publicKeyBase64, name: 'ci', reason: 'r' }, { token: op1 })).status).toBe(403);
    const bad = await t.http('POST', KEYS, { public_key: 'not base64!', name: 'ci', reason: 'r' });
    expect([bad.status, bad.body.error]).toEqual([400, 'approval_key_invalid']);
    const short = await t.http('POST', KEYS, { public_key: Buffer.alloc(16).toString('base64'), name: 'ci', reason: 'r' });
    expect([short.status, short.body.error]).toEqual([400, 'approval_key_invalid']);
    expect((await t.sql(`SELECT count(*)::int AS n FROM gate_approval_key`))[0].n).toBe(0);

    for (const [keys, name] of [[ci, 'release-ci'], [release, 'release-manager']] as const) {
      const made = await t.http('POST', KEYS, { public_key: keys.publicKeyBase64, name, reason: 'CI releases sign with it' });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ name, public_key: keys.publicKeyBase64, revoked_at: null });
      expect(made.body.key_id).toMatch(/^[0-9a-f]{64}$/);
    }
    const again = await t.http('POST', KEYS, { public_key: ci.publicKeyBase64, name: 'ci-again', reason: 'r' });
    expect([again.status, again.body.error]).toEqual([409, 'approval_key_exists']);
    expect((await t.http('GET', KEYS, undefined, { token: op1 })).body.items.map((k: { name: string }) => k.name)).toEqual(['release-ci', 'release-manager']);
    expect((await t.sql(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'gate.approval_key.registered'`))[0].n).toBe(2);
  });

  it('two tokens of distinct approvers release the intent once (approval_granted, approval_ref), audited; the same tokens again are refused', async () => {
    const d = await held('agent-tok', '/srv/app/tok.yaml');
    const tokens = [token(ci, 'alice', d), token(release, 'bob', d)];
    const allowed = await evaluate(t, { intent: d.write, approval_tokens: tokens }, engine);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ verdict: 'allow', approval_id: null, reason_codes: expect.arrayContaining(['approval_granted']) });
    const approvalStep = allowed.body.trace.find((s: { step: string }) => s.step === 'approval');
    const ref = [tokens[0]!.token_id, tokens[1]!.token_id].sort().join(',');
    expect(approvalStep).toMatchObject({ verdict: 'allow', details: { valid_approvals: 2, required_approvals: 2, approval_ref: ref } });
    expect(await t.sql(`SELECT token_id, approver_identity FROM gate_approval_token_use WHERE decision_id = $1 ORDER BY token_id`, [allowed.body.decision_id])).toEqual(
      [{ token_id: tokens[0]!.token_id as string, approver_identity: 'alice' }, { token_id: tokens[1]!.token_id as string, approver_identity: 'bob' }].sort((a, b) => a.token_id.localeCompare(b.token_id)),
    );
    const [audit] = await t.sql(`SELECT subject, details FROM audit_log WHERE action = 'gate.approval_token.accepted'`);
    expect(audit.subject).toBe(`gate_decision:${allowed.body.decision_id}`);
    expect(audit.details).toMatchObject({ approval_ref: ref, intent_digest: d.intentDigest, policy_digest: d.policyDigest });

    const replay = await evaluate(t, { intent: d.write, approval_tokens: tokens }, engine);
    expect(replay.status).toBe(403);
    expect(replay.body.reason_codes).toContain('approval_token_already_used');
  });

  it("too few, unregistered, mismatched or out-of-scope tokens leave it held with gait's codes, and a Warden request is filed", async () => {
    const d = await held('agent-tok', '/srv/app/few.yaml');
    const cases: Array<[Record<string, unknown>[], string[]]> = [
      [[token(ci, 'alice', d)], ['approval_chain_insufficient']],
      [[token(ci, 'alice', d), token(release, 'alice', d)], ['approval_distinct_approvers_required']],
      [[token(ci, 'alice', d), token(stranger, 'bob', d)], ['approval_chain_insufficient', 'approval_token_signature_invalid']],
      [[token(ci, 'alice', d), token(release, 'bob', { ...d, intentDigest: 'a'.repeat(64) })], ['approval_chain_insufficient', 'approval_token_intent_mismatch']],
      [[token(ci, 'alice', d), token(release, 'bob', d, { scope: ['tool:tool.read'] })], ['approval_chain_insufficient', 'approval_token_scope_mismatch']],
    ];
    for (const [tokens, codes] of cases) {
      const res = await evaluate(t, { intent: d.write, approval_tokens: tokens }, engine);
      expect([res.status, res.body.verdict]).toEqual([202, 'require_approval']);
      expect(res.body.reason_codes).toEqual(expect.arrayContaining(codes));
      expect(res.body.approval_id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect((await t.sql(`SELECT count(*)::int AS n FROM gate_approval_token_use`))[0].n).toBe(2); // only the previous test's
  });

  it('a token does not cover an engine, amount or reservation: held with approval_token_not_applicable', async () => {
    await upsertRiskPolicy(t, op1, { engine: 'TOK_ENGINE', max_daily_exposure: '100', max_open_risk: '100', max_daily_loss: '50' });
    const d = await held('agent-tok', '/srv/app/money.yaml');
    const res = await evaluate(t, { intent: d.write, engine: 'TOK_ENGINE', amount: '10', approval_tokens: [token(ci, 'alice', d), token(release, 'bob', d)] }, await t.token('engine', { identities: ['agent-tok'], engines: ['TOK_ENGINE'] }));
    expect(res.status).toBe(202);
    expect(res.body.reason_codes).toContain('approval_token_not_applicable');
  });

  it('a malformed token or tokens with approval_id are 400 and record nothing', async () => {
    const d = await held('agent-tok', '/srv/app/bad.yaml');
    const before = (await t.sql(`SELECT count(*)::int AS n FROM gate_decision`))[0].n;
    const bad = await evaluate(t, { intent: d.write, approval_tokens: [{ scope: 5 }] }, engine);
    expect([bad.status, bad.body.error]).toEqual([400, 'invalid_approval_token']);
    const both = await evaluate(t, { intent: d.write, approval_id: '00000000-0000-4000-8000-000000000000', approval_tokens: [token(ci, 'alice', d)] }, engine);
    expect([both.status, both.body.error]).toEqual([400, 'invalid_intent']);
    const many = await evaluate(t, { intent: d.write, approval_tokens: Array.from({ length: 9 }, () => token(ci, 'alice', d)) }, engine);
    expect([many.status, many.body.error]).toEqual([400, 'validation_failed']);
    expect((await t.sql(`SELECT count(*)::int AS n FROM gate_decision`))[0].n).toBe(before);
  });

  it('simultaneous submissions of the same fresh tokens: exactly one is allowed', async () => {
    const d = await held('agent-race', '/srv/app/race.yaml');
    const tokens = [token(ci, 'alice', d), token(release, 'bob', d)];
    const answers = await Promise.all([1, 2, 3, 4].map(() => evaluate(t, { intent: d.write, approval_tokens: tokens }, engine)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 403, 403, 403]);
    for (const a of answers.filter((x) => x.status === 403)) expect(a.body.reason_codes).toContain('approval_token_already_used');
  });

  it('a revoked key no longer approves (signature_invalid); revoking is audited; the chain and journal verify', async () => {
    const keyId = (await t.http('GET', KEYS)).body.items.find((k: { name: string }) => k.name === 'release-manager').key_id as string;
    const revoked = await t.http('POST', `${KEYS}/${keyId}/revoke`, { reason: 'laptop lost' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_by).toBeTruthy();
    expect((await t.http('POST', `${KEYS}/${'0'.repeat(64)}/revoke`, { reason: 'x' })).status).toBe(404);
    const d = await held('agent-tok', '/srv/app/revoked.yaml');
    const res = await evaluate(t, { intent: d.write, approval_tokens: [token(ci, 'alice', d), token(release, 'bob', d)] }, engine);
    expect(res.status).toBe(202);
    expect(res.body.reason_codes).toEqual(expect.arrayContaining(['approval_chain_insufficient', 'approval_token_signature_invalid']));
    expect((await t.sql(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'gate.approval_key.revoked'`))[0].n).toBe(1);
    const verify = await t.http('GET', '/api/governance/audit/verify');
    expect(verify.body.intact).toBe(true);
    expect(JSON.stringify(verify.body.state)).toContain('gate_approval_key');
  });
});
