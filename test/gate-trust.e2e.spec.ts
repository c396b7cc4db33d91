import { activePolicy, evaluate, G, intent, setTrust, STANDARD_POLICY, uniqueIdentity } from './support/factories/gate.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('gate: trust scores per identity over real HTTP', () => {
  let t: TestApp;
  let engine: string;
  let op: string;
  let viewer: string;
  let policy: string;

  beforeAll(async () => {
    t = await startTestApp();
    [engine, op, viewer] = await Promise.all([t.token('engine'), t.token('operator'), t.token('viewer')]);
    policy = (await activePolicy(t, 'enforce', STANDARD_POLICY)).name;
  });
  afterAll(async () => t?.close());

  const trust = async (identity: string) => (await t.http('GET', `${G}/trust/${encodeURIComponent(identity)}`, undefined, { token: viewer })).body;
  // An engine token claims (and reports against) only the identities it is bound to: one per identity here.
  const engines = new Map<string, Promise<string>>();
  const engineFor = (identity: string) => {
    if (!engines.has(identity)) engines.set(identity, t.token('engine', { identities: [identity] }));
    return engines.get(identity)!;
  };
  const report = async (identity: string, body: Record<string, unknown>, token?: string) =>
    t.http('POST', `${G}/trust/${encodeURIComponent(identity)}/outcomes`, { reason: 'seen in review', ...body }, { token: token ?? (await engineFor(identity)) });
  const read = async (identity: string) => evaluate(t, { intent: intent('tool.read', identity), policy }, await engineFor(identity));

  it('a new identity has the prior; violations lower it below the threshold and the gate blocks', async () => {
    const who = uniqueIdentity();
    expect(await trust(who)).toMatchObject({ identity: who, score: 0.8, estimate: 0.8, source: 'evidence', prior: { mean: 0.8, strength: 10 }, allowed: 0, violations: 0, override: null, evidence: [] });
    const allowed = await read(who);
    expect(allowed.status).toBe(200);
    expect(allowed.body.trust_score).toBe(0.8);

    // The violation is tied to the decision that allowed the action.
    expect((await report(who, { outcome: 'violation', gate_decision_id: allowed.body.decision_id })).status).toBe(201);
    for (let i = 0; i < 5; i++) expect((await report(who, { outcome: 'violation' })).status).toBe(201);
    const six = await trust(who);
    expect(six).toMatchObject({ violations: 6, score: 0.5 }); // 8 / 16: exactly the threshold still passes
    expect(six.evidence[5]).toMatchObject({ outcome: 'violation', gate_decision_id: allowed.body.decision_id });
    expect((await read(who)).status).toBe(200);

    await report(who, { outcome: 'violation' });
    expect((await trust(who)).score).toBeCloseTo(8 / 17, 12);
    const blocked = await read(who);
    expect(blocked.status).toBe(403);
    expect(blocked.body.reason_codes).toEqual(['matched_rule_allow_reads', 'trust_below_threshold']);
    expect(blocked.body.trace.find((s: { step: string }) => s.step === 'trust')).toMatchObject({ verdict: 'block', details: { identity: who, threshold: 0.5, source: 'evidence' } });

    // Allowed outcomes (an operator's report) raise it again.
    for (let i = 0; i < 3; i++) expect((await report(who, { outcome: 'allowed' }, op)).status).toBe(201);
    expect((await trust(who)).score).toBeCloseTo(11 / 20, 12);
    expect((await read(who)).status).toBe(200);
  });

  it('engines may report only violations; a decision named must be an allowed decision of that identity', async () => {
    const who = uniqueIdentity();
    const own = await report(who, { outcome: 'allowed' });
    expect([own.status, own.body.error]).toEqual([403, 'outcome_not_permitted']);
    const blockedDecision = await evaluate(t, { intent: intent('tool.delete', who), policy }, await engineFor(who));
    expect(blockedDecision.status).toBe(403);
    const wrong = await report(who, { outcome: 'violation', gate_decision_id: blockedDecision.body.decision_id });
    expect([wrong.status, wrong.body.error]).toEqual([409, 'decision_not_allowed']);
    const otherIdentity = await read(uniqueIdentity());
    expect((await report(who, { outcome: 'violation', gate_decision_id: otherIdentity.body.decision_id })).body.error).toBe('decision_not_allowed');
    expect((await report(who, { outcome: 'violation', gate_decision_id: '00000000-0000-4000-8000-000000000000' })).body.error).toBe('decision_not_found');
    expect((await report(who, { outcome: 'maybe' })).status).toBe(400);
    expect((await report(who, { outcome: 'violation', reason: '' })).status).toBe(400);
    expect((await report(who, { outcome: 'violation' }, viewer)).status).toBe(403);
    expect((await trust(who)).violations).toBe(0); // none of the refused reports counted
  });

  it('an operator override wins while set, is audited, and clears with null', async () => {
    const who = uniqueIdentity();
    expect((await setTrust(t, who, 0.3, engine)).status).toBe(403);
    const set = await setTrust(t, who, 0.3, op);
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ score: 0.3, estimate: 0.8, source: 'override', override: { score: 0.3, reason: 'test' } });
    expect((await read(who)).body.reason_codes).toContain('trust_below_threshold');
    const cleared = await setTrust(t, who, null, op);
    expect(cleared.body).toMatchObject({ score: 0.8, source: 'evidence', override: null });
    expect((await read(who)).status).toBe(200);
    const audit = await t.sql(`SELECT action, details FROM audit_log WHERE subject = $1 ORDER BY id`, [`gate_identity:${who}`]);
    expect(audit).toEqual([
      { action: 'gate.trust.override.set', details: { before: null, after: 0.3 } },
      { action: 'gate.trust.override.clear', details: { before: 0.3, after: null } },
    ]);
    expect((await setTrust(t, who, 1.5, op)).status).toBe(400);
  });

  it('the threshold is per policy (gate_policy.trust_threshold, set through the mode route); observe mode does not block on trust', async () => {
    const strict = await activePolicy(t, 'enforce');
    const who = uniqueIdentity();
    expect((await evaluate(t, { intent: intent('tool.read', who), policy: strict.name }, await engineFor(who))).status).toBe(200);
    expect((await t.http('POST', `${G}/policies/${strict.name}/mode`, { mode: 'enforce', trust_threshold: 0.9 }, { token: op })).status).toBe(200);
    const blocked = await evaluate(t, { intent: intent('tool.read', who), policy: strict.name }, await engineFor(who));
    expect(blocked.status).toBe(403);
    expect(blocked.body.reason_codes).toContain('trust_below_threshold');
    expect((await t.http('POST', `${G}/policies/${strict.name}/mode`, { mode: 'observe' }, { token: op })).body.trust_threshold).toBe(0.9);
    const observed = await evaluate(t, { intent: intent('tool.read', who), policy: strict.name }, await engineFor(who));
    expect(observed.status).toBe(200);
    expect(observed.body).toMatchObject({ would_have_blocked: true, reason_codes: expect.arrayContaining(['observe_mode_non_enforcing', 'simulated_block', 'trust_below_threshold']) });
  });
});
