import { GatePolicyService, GateTrustService, trustEstimate } from '#gate/server';
import { SYSTEM_PRINCIPAL } from '#platform';
import { STANDARD_POLICY, uniqueIdentity, uniqueName } from './support/factories/gate.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The gate's services against the real database (no HTTP). */
describe('gate services against PostgreSQL', () => {
  let t: TestApp;
  let trust: GateTrustService;
  let policies: GatePolicyService;

  beforeAll(async () => {
    t = await startTestApp();
    trust = t.app.get(GateTrustService);
    policies = t.app.get(GatePolicyService);
  });
  afterAll(async () => t?.close());

  it('the trust score is the posterior mean of the stored outcomes, whoever reported them; the newest override wins', async () => {
    const who = uniqueIdentity();
    const operator = { ...SYSTEM_PRINCIPAL, name: 'op-1', role: 'operator' as const };
    const outcomes: Array<'allowed' | 'violation'> = ['allowed', 'violation', 'allowed', 'allowed', 'violation', 'violation', 'violation', 'allowed'];
    let good = 0;
    let bad = 0;
    for (const outcome of outcomes) {
      await trust.report(operator, who, { outcome, reason: 'review' });
      if (outcome === 'allowed') good += 1;
      else bad += 1;
      expect((await trust.scoreOf(who)).score).toBeCloseTo(trustEstimate(good, bad), 12);
    }
    // Another identity's outcomes never leak into this one.
    await trust.report(operator, uniqueIdentity(), { outcome: 'violation', reason: 'other' });
    expect((await trust.scoreOf(who)).score).toBeCloseTo(trustEstimate(4, 4), 12);

    await trust.override(operator, who, '0.9', 'vouched');
    await trust.override(operator, who, '0.2', 'changed my mind');
    expect(await trust.scoreOf(who)).toEqual({ score: 0.2, estimate: trustEstimate(4, 4), source: 'override' });
    const view = await trust.get(who);
    expect(view).toMatchObject({ allowed: 4, violations: 4, override: { score: 0.2, reason: 'changed my mind', set_by: 'op-1' } });
    expect(view.evidence).toHaveLength(8);
    await expect(t.sql(`UPDATE gate_trust_outcome SET outcome = 'allowed' WHERE identity = $1`, [who])).rejects.toThrow(); // append-only
  });

  it('two concurrent PUTs of the same new policy: one create, then an update-free idempotent answer; versions are unique by digest', async () => {
    const name = uniqueName('race');
    const a = { ...SYSTEM_PRINCIPAL, name: 'op-a', role: 'operator' as const };
    const b = { ...SYSTEM_PRINCIPAL, name: 'op-b', role: 'operator' as const };
    const [ra, rb] = await Promise.all([policies.put(a, name, { yaml: STANDARD_POLICY }), policies.put(b, name, { yaml: STANDARD_POLICY })]);
    expect([ra.version_created, rb.version_created].sort()).toEqual([false, true]);
    expect(ra.digest).toBe(rb.digest);
    const audit = await t.sql(`SELECT action FROM audit_log WHERE subject = $1 ORDER BY id`, [`gate_policy:${name}`]);
    expect(audit.map((x) => x.action)).toEqual(['gate.policy_version.create', 'gate.policy.create']);
  });

  it('two concurrent PUTs of different new versions with modes: exactly one gate.policy.create, the other an update', async () => {
    const name = uniqueName('race2');
    const a = { ...SYSTEM_PRINCIPAL, name: 'op-a', role: 'operator' as const };
    const other = STANDARD_POLICY.replace('default_verdict: block', 'default_verdict: allow');
    await Promise.all([policies.put(a, name, { yaml: STANDARD_POLICY, mode: 'observe' }), policies.put(a, name, { yaml: other, mode: 'enforce' })]);
    const actions = (await t.sql(`SELECT action FROM audit_log WHERE subject = $1 AND action LIKE 'gate.policy.%' ORDER BY id`, [`gate_policy:${name}`])).map((x) => x.action);
    expect(actions).toEqual(['gate.policy.create', 'gate.policy.update']);
  });
});
