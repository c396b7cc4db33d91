import { activePolicy, evaluate, G, intent, setTrust, STANDARD_POLICY, uniqueIdentity, uniqueName } from './support/factories/gate.js';
import { engineName } from './support/factories/risk.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 17, C: an engine could claim any `context.identity` (a trusted one, to pass the trust
 * check) and report violations that block another agent. Written as the attack: each request
 * that succeeded before must now be refused, and nothing must change.
 */
describe('gate: an engine token claims only the identities its binding names', () => {
  let t: TestApp;
  let op: string;
  let policy: string;
  /** An identity an operator trusts (override 0.95): the one an attacker would claim. */
  let trusted: string;
  let riskEngine: string;

  beforeAll(async () => {
    t = await startTestApp();
    op = await t.token('operator');
    policy = (await activePolicy(t, 'enforce', `${STANDARD_POLICY}fail_closed:\n  enabled: true\n  risk_classes: [high]\n`)).name;
    trusted = uniqueIdentity('trusted');
    expect((await setTrust(t, trusted, 0.95, op)).status).toBe(200);
    riskEngine = engineName('IDB');
    expect((await t.http('POST', '/api/governance/risk/policies/upsert', { engine: riskEngine, max_daily_exposure: '1000', max_open_risk: '1000', max_daily_loss: '1000' }, { token: op })).status).toBeLessThan(300);
  });
  afterAll(async () => t?.close());

  /** Every table's content as one digest per table: "nothing changed" covers every lever. */
  async function snapshot(): Promise<Record<string, string>> {
    const tables = (await t.sql(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).map((r) => r.tablename as string);
    const out: Record<string, string> = {};
    for (const name of tables) {
      const [row] = await t.sql(`SELECT count(*)::int AS n, coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS d FROM "${name}" x`);
      out[name] = `${row.n}:${row.d}`;
    }
    return out;
  }
  const report = (identity: string, body: Record<string, unknown>, token: string | undefined) =>
    t.http('POST', `${G}/trust/${encodeURIComponent(identity)}/outcomes`, { reason: 'seen in review', ...body }, { token });
  const trust = async (identity: string) => (await t.http('GET', `${G}/trust/${encodeURIComponent(identity)}`)).body;

  it('tokens: identities are set at creation, on engine tokens only, validated, listed and audited', async () => {
    const name = uniqueName('eng');
    const created = await t.http('POST', '/api/governance/tokens', { name, role: 'engine', identities: [' agent-one ', 'agent-two', 'agent-two'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, role: 'engine', engines: null, domains: null, identities: ['agent-one', 'agent-two'] });
    const listed = (await t.http('GET', '/api/governance/tokens')).body.find((x: { name: string }) => x.name === name);
    expect(listed.identities).toEqual(['agent-one', 'agent-two']);
    const [audit] = await t.sql(`SELECT details FROM audit_log WHERE action = 'token.create' AND subject = $1`, [`token:${created.body.id}`]);
    expect(audit.details).toMatchObject({ identities: ['agent-one', 'agent-two'] });

    for (const role of ['operator', 'admin', 'viewer']) {
      const res = await t.http('POST', '/api/governance/tokens', { name: uniqueName(role), role, identities: ['agent-one'] });
      expect([res.status, res.body.error]).toEqual([400, 'binding_not_allowed']);
    }
    for (const bad of ['a/b', '', ' ', 'x'.repeat(201), 7]) {
      const res = await t.http('POST', '/api/governance/tokens', { name: uniqueName('eng'), role: 'engine', identities: [bad] });
      expect([res.status, res.body.error]).toEqual([400, 'validation_failed']);
    }
    // A plain engine token lists none: it claims only its own name.
    expect((await t.http('GET', '/api/governance/tokens')).body.every((x: { role: string; identities: unknown }) => x.role === 'engine' || x.identities === null)).toBe(true);
  });

  it('the claimed identity: an engine token claiming a trusted identity it is not bound to is refused (403) and nothing is recorded', async () => {
    const unbound = await t.token('engine');
    const engineBound = await t.token('engine', { engines: [riskEngine] });
    const otherIdentity = await t.token('engine', { identities: [uniqueIdentity()] });
    // Before the fix each of these answered 200 (allow, trust_score 0.95) and stored a decision under the trusted identity.
    const attacks: Array<[string, Record<string, unknown>]> = [
      [unbound, { intent: intent('tool.read', trusted), policy }],
      [unbound, { intent: intent('tool.read', ` ${trusted} `), policy }], // the intent trims: the claim is the same
      [unbound, { intent: intent('tool.read', trusted), policy, simulate: true }],
      [otherIdentity, { intent: intent('tool.read', trusted), policy }],
      // Bound to the engine it acts on: the engine binding does not widen the identities.
      [engineBound, { intent: intent('tool.read', trusted), policy, engine: riskEngine, amount: '10', reserve: true, correlation_id: uniqueName('idb') }],
      // An approval filing would carry the claimed identity: refused before any lever is asked.
      [unbound, { intent: intent('tool.write', trusted), policy }],
      // An invalid intent under fail_closed would be a stored block naming... no one; the claim is still refused.
      [unbound, { intent: { ...intent('tool.read', trusted), context: { identity: trusted, risk_class: 'high' } }, policy }],
    ];
    const before = await snapshot();
    for (const [token, body] of attacks) {
      const res = await evaluate(t, body, token);
      expect([res.status, res.body.error]).toEqual([403, 'identity_not_bound']);
      expect(res.body.message).toContain(trusted);
      expect(res.body.decision_id).toBeUndefined();
    }
    // Refused before judging, like engine_not_bound: no gate_decision, no approval, no reservation, no audit row.
    expect(await snapshot()).toEqual(before);
    expect((await trust(trusted)).score).toBe(0.95);
  });

  it("recording outcomes against another's identity is refused (403) and counts nothing", async () => {
    const victim = uniqueIdentity('victim');
    const victimEngine = await t.token('engine', { identities: [victim] });
    const allowed = await evaluate(t, { intent: intent('tool.read', victim), policy }, victimEngine);
    expect(allowed.status).toBe(200);
    const attacker = await t.token('engine');
    const engineBound = await t.token('engine', { engines: [riskEngine], identities: [uniqueIdentity()] });
    const before = await snapshot();
    // Before the fix: seven violations from any engine pushed the victim below the threshold (blocked).
    for (const token of [attacker, engineBound]) {
      for (const body of [{ outcome: 'violation' }, { outcome: 'violation', gate_decision_id: allowed.body.decision_id }, { outcome: 'allowed' }]) {
        const res = await report(victim, body, token);
        expect([res.status, res.body.error]).toEqual([403, 'identity_not_bound']);
      }
    }
    expect(await snapshot()).toEqual(before);
    expect(await trust(victim)).toMatchObject({ violations: 0, allowed: 0, score: 0.8 });
    expect((await evaluate(t, { intent: intent('tool.read', victim), policy }, victimEngine)).status).toBe(200);
  });

  it('a bound identity and the token’s own name are allowed; a fresh one starts from the prior', async () => {
    const own = uniqueName('agent-own');
    const bound = uniqueIdentity('bound');
    const token = await t.token('engine', { name: own, identities: [bound] });
    for (const who of [own, bound]) {
      const res = await evaluate(t, { intent: intent('tool.read', who), policy }, token);
      expect([res.status, res.body.verdict, res.body.trust_score]).toEqual([200, 'allow', 0.8]);
      const [row] = await t.sql(`SELECT identity, principal FROM gate_decision WHERE id = $1`, [res.body.decision_id]);
      expect(row).toEqual({ identity: who, principal: own });
      expect((await report(who, { outcome: 'violation', gate_decision_id: res.body.decision_id }, token)).status).toBe(201);
      expect((await trust(who)).violations).toBe(1);
      // Still only violations: the binding does not let an engine vouch for itself.
      expect((await report(who, { outcome: 'allowed' }, token)).body.error).toBe('outcome_not_permitted');
    }
    // Case and spelling count: the binding names identities exactly.
    expect((await evaluate(t, { intent: intent('tool.read', bound.toUpperCase()), policy }, token)).body.error).toBe('identity_not_bound');
  });

  it('operators and admins claim any identity and record outcomes against any', async () => {
    for (const token of [op, undefined /* admin */]) {
      const who = uniqueIdentity('any');
      const res = await evaluate(t, { intent: intent('tool.read', who), policy }, token);
      expect(res.status).toBe(200);
      expect((await report(who, { outcome: 'allowed', gate_decision_id: res.body.decision_id }, token)).status).toBe(201);
      expect((await evaluate(t, { intent: intent('tool.read', trusted), policy }, token)).body.trust_score).toBe(0.95);
    }
  });
});
