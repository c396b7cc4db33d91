import { approvalCast } from './support/factories/approvals.js';
import { HeimdallFactory } from './support/factories/heimdall.js';
import { evaluate, intent, putPolicy, STANDARD_POLICY, uniqueName } from './support/factories/gate.js';
import { engineName, RISK } from './support/factories/risk.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 17 A.4, the amount swap: a gate grant covers everything the gate acts on once allowed — the
 * intent, the policy version, engine, amount, reserve, domain and recommendation — and approvers see
 * those fields (real HTTP, real PostgreSQL). A request differing in any of them is not allowed by the
 * grant: 403 `approval_not_for_this_intent` (a block), nothing reserved, the grant still unused.
 */
const APPROVALS = '/api/governance/approvals';

describe('gate: the grant covers engine, amount, reserve and recommendation', () => {
  let t: TestApp;
  let engine: string;
  let op1: string;
  let op2: string;

  beforeAll(async () => {
    t = await startTestApp();
    ({ op1, op2 } = await approvalCast(t));
    engine = await t.token('engine', { identities: ['agent-alice'] });
    expect((await putPolicy(t, 'default', STANDARD_POLICY, { token: op1 })).status).toBe(200);
  });
  afterAll(() => t?.close());

  it('approved for amount 1, re-submitted for 900000 with reserve: true -> not allowed by that grant, nothing reserved', async () => {
    const e = engineName('GS');
    const other = engineName('GO');
    const caps = { max_daily_exposure: '1000000', max_open_risk: '1000000', max_daily_loss: '1000000' };
    // Caps that would let 900000 through: only the grant stands in the way.
    for (const name of ['GLOBAL', e, other]) expect((await t.http('POST', `${RISK}/policies/upsert`, { engine: name, ...caps }, { token: op1 })).status).toBe(200);
    const recommendation = await (await HeimdallFactory.create(t)).eligibleRecommendation();
    const write = intent('tool.write');
    const asked = await evaluate(t, { intent: write, engine: e, amount: '1' }, engine);
    expect(asked.status).toBe(202);
    const id = asked.body.approval_id as string;

    // What the approvers see is what the grant allows.
    const shown = await t.http('GET', `${APPROVALS}/${id}`, undefined, { token: op1 });
    expect(shown.body.payload).toMatchObject({ engine: e, amount: '1', reserve: false, domain: null, recommendation_id: null, policy_digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    for (const op of [op1, op2]) expect((await t.http('POST', `${APPROVALS}/${id}/approve`, {}, { token: op })).status).toBe(200);

    const swaps: Array<Record<string, unknown>> = [
      { engine: e, amount: '900000', reserve: true, correlation_id: uniqueName('swap') }, // the attack
      { engine: e, amount: '1', reserve: true, correlation_id: uniqueName('swap') }, // a reservation added later
      { engine: e, amount: '900000' },
      { engine: other, amount: '1' },
      { engine: e, amount: '1', recommendation_id: recommendation.id },
    ];
    for (const swap of swaps) {
      const res = await evaluate(t, { intent: write, approval_id: id, ...swap }, engine);
      expect({ swap, status: res.status, codes: res.body.reason_codes }).toEqual({ swap, status: 403, codes: expect.arrayContaining(['approval_not_for_this_intent']) });
      expect(res.body.reservation_id ?? null).toBeNull();
    }
    expect(await t.sql(`SELECT id FROM risk_reservation WHERE engine = ANY ($1)`, [[e, other]])).toEqual([]);
    expect((await t.sql(`SELECT status, consumed_at FROM approval_request WHERE id = $1`, [id]))[0]).toEqual({ status: 'approved', consumed_at: null });

    // The very request it was granted for is allowed, once.
    const allowed = await evaluate(t, { intent: write, approval_id: id, engine: e, amount: '1' }, engine);
    expect(allowed.status).toBe(200);
    expect(allowed.body.reason_codes).toContain('approval_granted');
    expect((await t.sql(`SELECT consumed_at FROM approval_request WHERE id = $1`, [id]))[0].consumed_at).not.toBeNull();
  });
});
