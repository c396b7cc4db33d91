import { approvalCast } from './support/factories/approvals.js';
import { activePolicy, evaluate, intent, uniqueIdentity, uniqueName } from './support/factories/gate.js';
import { engineName } from './support/factories/risk.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The gate judges without writing: phases 1-4 only read, and only the record phase writes (the
 * decision row and, for a real evaluation, Heimdall's record of the check the gate read).
 */
describe('gate pipeline: nothing is written while judging', () => {
  let t: TestApp;
  let engine: string;
  let op1: string;
  let policy: string;
  let riskEngine: string;
  const simulatedAgent = uniqueIdentity();
  let domain: string;

  beforeAll(async () => {
    t = await startTestApp();
    ({ op1 } = await approvalCast(t));
    // An engine token claims only the identities it is bound to (docs/auth.md).
    engine = await t.token('engine', { identities: ['agent-alice', simulatedAgent] });
    policy = (await activePolicy(t, 'enforce')).name;
    riskEngine = engineName('GP');
    domain = `GP_${Date.now().toString(36).toUpperCase()}`;
    expect((await t.http('POST', '/api/governance/risk/policies/upsert', { engine: riskEngine, max_daily_exposure: '1000', max_open_risk: '1000', max_daily_loss: '1000' }, { token: op1 })).status).toBeLessThan(300);
    expect((await t.http('POST', '/api/governance/heimdall/policies/upsert', { domain, min_confidence: 0.8, min_trials: 2, min_success_rate: 0.5, prod_use_enabled: true }, { token: op1 })).status).toBe(200);
  });
  afterAll(async () => t?.close());

  const recommendation = async () => (await t.http('POST', '/api/governance/heimdall/recommend', { domain, confidence: 0.9 }, { token: engine })).body.id as string;

  /** Every table's content as one digest per table (rows and updates both show). */
  async function snapshot(): Promise<Record<string, string>> {
    // The hash chain's own bookkeeping (audit_chain_*) moves with every chained row: it is part of that row's record, not a lever write.
    const tables = (await t.sql(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'audit_chain_%' ORDER BY tablename`)).map((r) => r.tablename as string);
    const out: Record<string, string> = {};
    for (const name of tables) {
      const [row] = await t.sql(`SELECT count(*)::int AS n, coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS d FROM "${name}" x`);
      out[name] = `${row.n}:${row.d}`;
    }
    return out;
  }
  const changedTables = (a: Record<string, string>, b: Record<string, string>) => Object.keys(b).filter((k) => a[k] !== b[k]);
  const heimdallChecks = async (id: string) => t.sql(`SELECT principal, outcome, details->>'correlation_id' AS correlation_id FROM heimdall_event WHERE recommendation_id = $1 AND kind = 'recommendation.checked'`, [id]);
  const checkMetric = async (outcome: string) => {
    const text = String((await t.http('GET', '/metrics')).body);
    return Number(new RegExp(`warden_decisions_total\\{lever="heimdall",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  };

  it('a simulated evaluation asking every lever writes only its gate_decision row: no heimdall_event, no reservation, no approval', async () => {
    const rec = await recommendation();
    const metricBefore = await checkMetric('check_insufficient_sandbox_trials');
    const before = await snapshot();
    const res = await evaluate(
      t,
      { intent: intent('tool.write', simulatedAgent), policy, simulate: true, engine: riskEngine, amount: '10', reserve: true, correlation_id: uniqueName('gp'), recommendation_id: rec },
      engine,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ simulate_mode: true, simulated_verdict: 'block', approval_id: null, reservation_id: null });
    // Heimdall was read (its verdict is in the answer) but the check is not on record.
    expect(res.body.simulated_reason_codes).toEqual(expect.arrayContaining(['insufficient_sandbox_trials', 'approval_required_for_write']));
    expect(res.body.trace.map((s: { step: string }) => s.step)).toEqual(['go_live', 'policy', 'risk', 'heimdall', 'tripwire', 'trust']);
    const after = await snapshot();
    expect(changedTables(before, after)).toEqual(['gate_decision']);
    expect(Number(after.gate_decision.split(':')[0])).toBe(Number(before.gate_decision.split(':')[0]) + 1);
    expect(await heimdallChecks(rec)).toEqual([]);
    expect(await checkMetric('check_insufficient_sandbox_trials')).toBe(metricBefore);
  });

  it('a real evaluation records the Heimdall check once, with the decision, as before', async () => {
    const rec = await recommendation();
    const cid = uniqueName('gp');
    const before = await snapshot();
    const res = await evaluate(t, { intent: intent('tool.read'), policy, recommendation_id: rec, engine: riskEngine, amount: '10', correlation_id: cid }, engine);
    expect(res.status).toBe(403);
    expect(res.body.reason_codes).toContain('insufficient_sandbox_trials');
    expect(changedTables(before, await snapshot()).sort()).toEqual(['gate_decision', 'heimdall_event']);
    const checks = await heimdallChecks(rec);
    expect(checks).toEqual([{ principal: expect.stringMatching(/^engine-/), outcome: 'insufficient_sandbox_trials', correlation_id: cid }]);
  });

  it('a real evaluation refused after judging (the reservation’s key reused for another amount: 409) leaves nothing behind', async () => {
    const cid = uniqueName('gp');
    const body = { intent: intent('tool.read'), policy, engine: riskEngine, amount: '10', reserve: true, correlation_id: cid };
    expect((await evaluate(t, body, engine)).status).toBe(200);
    const rec = await recommendation();
    for (let i = 0; i < 2; i++) expect((await t.http('POST', '/api/governance/heimdall/sandbox/trial', { domain, success: true, confidence: 0.9 }, { token: engine })).status).toBe(201);
    const before = await snapshot();
    // Judging asked every lever, Heimdall included; the reserve phase then refused: no check, no decision.
    const res = await evaluate(t, { ...body, amount: '11', recommendation_id: rec }, engine);
    expect([res.status, res.body.error]).toEqual([409, 'idempotency_conflict']);
    expect(changedTables(before, await snapshot())).toEqual([]);
    expect(await heimdallChecks(rec)).toEqual([]);
  });
});
