import { startTestApp, type TestApp } from './support/test-app.js';
import { approvalCast } from './support/factories/approvals.js';

const O = '/api/governance/approval';
const A = '/api/governance/approvals';

/** The keys an Autopack agent reads from GET /approval/status/{id} (src/autopack/api/routes/approvals.py). */
const AUTOPACK_STATUS_KEYS = ['approval_id', 'run_id', 'phase_id', 'status', 'requested_at', 'responded_at', 'timeout_at', 'approval_reason', 'rejected_reason', 'response_method'];

describe("approvals in the original agents' vocabulary (Autopack keys, real HTTP, real PostgreSQL)", () => {
  let t: TestApp;
  let engine: string;
  let op1: string;
  let viewer: string;
  const uniq = () => Math.random().toString(36).slice(2, 10);

  beforeAll(async () => {
    t = await startTestApp();
    ({ engine, op1, viewer } = await approvalCast(t));
  });
  afterAll(async () => t?.close());

  /** Autopack's own request body: no reason, a context and decision_info. */
  const requestAutopack = async (extra: Record<string, unknown> = {}) => {
    const body = { run_id: `run-${uniq()}`, phase_id: `phase-${uniq()}`, context: 'build113_risky_decision', decision_info: { type: 'risky', risk_level: 'high' }, ...extra };
    const res = await t.http('POST', `${O}/request`, body, { token: engine });
    expect(res.status).toBe(202);
    return { body, id: res.body.approval_id as string };
  };
  const status = async (id: string) => {
    const res = await t.http('GET', `${O}/status/${id}`, undefined, { token: viewer });
    expect(res.status).toBe(200);
    return res.body as Record<string, unknown>;
  };

  it("a pending request carries every Autopack key beside Warden's own; run_id/phase_id come from the payload", async () => {
    const { body, id } = await requestAutopack();
    const s = await status(id);
    for (const key of AUTOPACK_STATUS_KEYS) expect(s).toHaveProperty(key);
    expect(s).toMatchObject({
      approval_id: id,
      run_id: body.run_id,
      phase_id: body.phase_id,
      status: 'pending',
      responded_at: null,
      approval_reason: null,
      rejected_reason: null,
      response_method: null,
      // Warden's own keys stay
      kind: 'manual',
      subject: `${body.run_id}/${body.phase_id}`,
      reason: 'build113_risky_decision',
      approved: false,
    });
    expect(s.requested_at).toBe(s.created_at);
    expect(s.timeout_at).toBe(s.expires_at);
    expect(new Date(s.timeout_at as string).getTime() - new Date(s.requested_at as string).getTime()).toBe(3600_000);
  });

  it('pending items use id (as the original lists them), with the same keys and the original payload fields', async () => {
    const { body, id } = await requestAutopack({ deletion_info: { net_deletion: 120, files: ['a.py'] } });
    const pending = await t.http('GET', `${O}/pending`, undefined, { token: viewer });
    expect(pending.status).toBe(200);
    const item = (pending.body.requests as Record<string, unknown>[]).find((r) => r.id === id);
    expect(item).toBeDefined();
    for (const key of AUTOPACK_STATUS_KEYS) expect(item).toHaveProperty(key);
    expect(item).toMatchObject({
      id,
      approval_id: id,
      run_id: body.run_id,
      phase_id: body.phase_id,
      status: 'pending',
      context: 'build113_risky_decision',
      decision_info: { type: 'risky', risk_level: 'high' },
      deletion_info: { net_deletion: 120, files: ['a.py'] },
      responded_at: null,
      response_method: null,
    });
    expect(pending.body.count).toBeGreaterThanOrEqual(1);
  });

  it('approved: responded_at, approval_reason (the approver\'s reason), response_method dashboard', async () => {
    const { id } = await requestAutopack();
    expect((await t.http('POST', `${O}/approve/${id}`, { reason: 'safe to delete' }, { token: op1 })).status).toBe(200);
    const s = await status(id);
    expect(s).toMatchObject({ status: 'approved', approval_reason: 'safe to delete', rejected_reason: null, response_method: 'dashboard', approved: true });
    expect(s.responded_at).toBe(s.decided_at);
    expect(s.responded_at).not.toBeNull();
  });

  it('rejected: rejected_reason, as given or "no reason given" through the alias', async () => {
    const one = await requestAutopack();
    expect((await t.http('POST', `${O}/reject/${one.id}`, { reason: 'too risky' }, { token: op1 })).status).toBe(200);
    expect(await status(one.id)).toMatchObject({ status: 'rejected', rejected_reason: 'too risky', approval_reason: null, response_method: 'dashboard' });
    const two = await requestAutopack();
    expect((await t.http('POST', `${O}/reject/${two.id}`, {}, { token: op1 })).status).toBe(200);
    expect(await status(two.id)).toMatchObject({ status: 'rejected', rejected_reason: 'no reason given' });
  });

  it("timeout: status timeout, responded_at = timeout_at, the original's timeout reason and method", async () => {
    const { id } = await requestAutopack({ timeout_seconds: 5 });
    t.clock.advance(5_000);
    const s = await status(id);
    expect(s).toMatchObject({ status: 'timeout', response_method: 'timeout', rejected_reason: 'Auto-rejected after timeout', approval_reason: null });
    expect(s.responded_at).toBe(s.timeout_at);
  });

  it("a request filed in Warden's own vocabulary reads run_id/phase_id from its payload when given, else null", async () => {
    const withIds = await t.http('POST', A, { kind: 'manual', subject: `s-${uniq()}`, reason: 'r', payload: { run_id: 'r-1', phase_id: 'p-1' } }, { token: engine });
    expect(await status(withIds.body.approval_id)).toMatchObject({ run_id: 'r-1', phase_id: 'p-1' });
    const without = await t.http('POST', A, { kind: 'manual', subject: `s-${uniq()}`, reason: 'r', payload: { engine: 'X' } }, { token: engine });
    expect(await status(without.body.approval_id)).toMatchObject({ run_id: null, phase_id: null });
  });

  it('neither reason nor context is a 400; a non-object decision_info is a 400', async () => {
    const none = await t.http('POST', `${O}/request`, { run_id: 'r', phase_id: 'p' }, { token: engine });
    expect([none.status, none.body.error]).toEqual([400, 'validation_failed']);
    const bad = await t.http('POST', `${O}/request`, { run_id: 'r', phase_id: 'p', context: 'c', decision_info: 'x' }, { token: engine });
    expect(bad.status).toBe(400);
  });
});
