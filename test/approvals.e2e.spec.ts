import { APPROVALS_EXPIRY_JOB } from '#approvals';
import { JobRunner } from '#platform';
import { startTestApp, type TestApp } from './support/test-app.js';
import { approvalCast } from './support/factories/approvals.js';

const A = '/api/governance/approvals';
const O = '/api/governance/approval';

describe('approvals: life cycle, rules, bad input (real HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let engine: string;
  let op1: string;
  let op2: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp();
    ({ engine, op1, op2, viewer } = await approvalCast(t));
  });
  afterAll(async () => t?.close());

  const file = async (body: Record<string, unknown> = {}, token = engine) => {
    const res = await t.http('POST', A, { kind: 'manual', subject: `s-${Math.random().toString(36).slice(2)}`, reason: 'deploy it', ...body }, { token });
    expect(res.status).toBe(202);
    return res.body as { approval_id: string; status: string; expires_at: string; payload_digest: string; min_approvals: number };
  };
  const snapshot = async (id: string) => ({
    req: await t.sql(`SELECT status, approvals, decided_at, consumed_at FROM approval_request WHERE id = $1`, [id]),
    decisions: await t.sql(`SELECT count(*)::int AS n FROM approval_decision WHERE approval_id = $1`, [id]),
  });

  it('files, reads, approves and shows every decision; audited; the original vocabulary sees the same request', async () => {
    const created = await file({ payload: { engine: 'WHOLESALE', action: 'reenable' }, risk_level: 'high' });
    expect(created.status).toBe('pending');
    expect(new Date(created.expires_at).getTime() - t.clock.now().getTime()).toBe(3600_000);
    expect(created.min_approvals).toBe(1);
    const status = await t.http('GET', `${O}/status/${created.approval_id}`, undefined, { token: viewer });
    expect(status.body).toMatchObject({ approval_id: created.approval_id, status: 'pending', risk_level: 'HIGH' });

    const approved = await t.http('POST', `${A}/${created.approval_id}/approve`, { reason: 'looks right' }, { token: op1 });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', approvals: 1 });
    const got = await t.http('GET', `${A}/${created.approval_id}`, undefined, { token: viewer });
    expect(got.body.decisions).toEqual([expect.objectContaining({ decision: 'approve', reason: 'looks right', approver_role: 'operator' })]);
    expect((await t.http('GET', `${O}/status/${created.approval_id}`, undefined, { token: viewer })).body.status).toBe('approved');
    // A decided request never changes again.
    const late = await t.http('POST', `${A}/${created.approval_id}/reject`, { reason: 'no' }, { token: op2 });
    expect(late.status).toBe(409);
    expect(late.body.error).toBe('approval_not_pending');
    const audit = await t.sql(`SELECT action FROM audit_log WHERE subject = $1 ORDER BY id`, [`approval:${created.approval_id}`]);
    expect(audit.map((a) => a.action)).toEqual(['approval.request', 'approval.approve']);
  });

  it('original vocabulary: request, pending, approve, reject (timeout covered below)', async () => {
    const res = await t.http('POST', `${O}/request`, { run_id: 'research-system-v1', phase_id: 'research-integration', reason: 'Protected path modification', risk_level: 'CRITICAL', timeout_seconds: 600 }, { token: engine });
    expect(res.status).toBe(202);
    expect(res.body.min_approvals).toBe(2);
    const id = res.body.approval_id;
    const pending = await t.http('GET', `${O}/pending`, undefined, { token: viewer });
    expect(pending.body.count).toBeGreaterThanOrEqual(1);
    expect(pending.body.requests.map((r: any) => r.approval_id)).toContain(id);
    expect(pending.body.requests.find((r: any) => r.approval_id === id)).toMatchObject({ run_id: 'research-system-v1', phase_id: 'research-integration', status: 'pending' });
    expect((await t.http('POST', `${O}/approve/${id}`, undefined, { token: op1 })).body.status).toBe('pending');
    expect((await t.http('POST', `${O}/approve/${id}`, undefined, { token: op2 })).body.status).toBe('approved');

    const other = (await t.http('POST', `${O}/request`, { run_id: 'r2', phase_id: 'p', reason: 'x' }, { token: engine })).body.approval_id;
    const rejected = await t.http('POST', `${O}/reject/${other}`, undefined, { token: op1 });
    expect(rejected.status).toBe(200);
    expect((await t.http('GET', `${O}/status/${other}`, undefined, { token: viewer })).body.status).toBe('rejected');
  });

  it('no self-approval (403, nothing written); the same approver twice counts once (409); 2-of-N needs two distinct operators', async () => {
    const own = await file({}, op1);
    const self = await t.http('POST', `${A}/${own.approval_id}/approve`, {}, { token: op1 });
    expect(self.status).toBe(403);
    expect(self.body.error).toBe('self_decision_forbidden');
    expect(await snapshot(own.approval_id)).toEqual({ req: [{ status: 'pending', approvals: 0, decided_at: null, consumed_at: null }], decisions: [{ n: 0 }] });

    const two = await file({ min_approvals: 2 });
    expect((await t.http('POST', `${A}/${two.approval_id}/approve`, {}, { token: op1 })).body).toMatchObject({ status: 'pending', approvals: 1 });
    const again = await t.http('POST', `${A}/${two.approval_id}/approve`, {}, { token: op1 });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('already_decided_by_approver');
    expect((await t.http('GET', `${A}/${two.approval_id}`, undefined, { token: viewer })).body).toMatchObject({ status: 'pending', approvals: 1 });
    expect((await t.http('POST', `${A}/${two.approval_id}/approve`, {}, { token: op2 })).body).toMatchObject({ status: 'approved', approvals: 2 });
  });

  it('the list carries each request\'s decisions with ?include=decisions (one read for a page), and only then', async () => {
    const two = await file({ min_approvals: 2, subject: `incl-${Math.random().toString(36).slice(2)}` });
    const one = await file({ subject: `incl-${Math.random().toString(36).slice(2)}` });
    expect((await t.http('POST', `${A}/${two.approval_id}/approve`, { reason: 'first' }, { token: op1 })).status).toBe(200);
    expect((await t.http('POST', `${A}/${one.approval_id}/reject`, { reason: 'no' }, { token: op2 })).status).toBe(200);
    const page = (await t.http('GET', `${A}?limit=10&include=decisions`, undefined, { token: viewer })).body.items as Array<{ id: string; decisions?: Array<{ approver: string; decision: string }> }>;
    const byId = new Map(page.map((a) => [a.id, a]));
    expect(byId.get(two.approval_id)!.decisions!.map((d) => d.decision)).toEqual(['approve']);
    expect(byId.get(one.approval_id)!.decisions!.map((d) => d.decision)).toEqual(['reject']);
    // Each as the request's own read has it.
    expect(byId.get(two.approval_id)!.decisions).toEqual((await t.http('GET', `${A}/${two.approval_id}`, undefined, { token: viewer })).body.decisions);
    const plain = (await t.http('GET', `${A}?limit=10`, undefined, { token: viewer })).body.items as Array<Record<string, unknown>>;
    expect(plain.every((a) => !('decisions' in a))).toBe(true);
    const bad = await t.http('GET', `${A}?include=everything`, undefined, { token: viewer });
    expect([bad.status, bad.body.error]).toEqual([400, 'validation_failed']);
  });

  it('cancel: only the requester, only while pending', async () => {
    const mine = await file();
    const notMine = await t.http('POST', `${A}/${mine.approval_id}/cancel`, {}, { token: op1 });
    expect(notMine.status).toBe(403);
    expect(notMine.body.error).toBe('not_requester');
    const ok = await t.http('POST', `${A}/${mine.approval_id}/cancel`, { reason: 'not needed' }, { token: engine });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('cancelled');
    expect((await t.http('POST', `${A}/${mine.approval_id}/approve`, {}, { token: op1 })).status).toBe(409);
    expect((await t.http('GET', `${O}/status/${mine.approval_id}`, undefined, { token: viewer })).body.status).toBe('cancelled');
  });

  it('lists newest first with status, kind and subject filters and cursor paging', async () => {
    const subject = `paging-${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await file({ subject, kind: i % 2 ? 'engine_reenable' : 'manual' })).approval_id);
    await t.http('POST', `${A}/${ids[0]}/reject`, { reason: 'no' }, { token: op1 });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.http('GET', `${A}?subject=${subject}&limit=2${cursor ? `&before=${cursor}` : ''}`, undefined, { token: viewer });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((i: any) => i.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const pendingManual = await t.http('GET', `${A}?subject=${subject}&status=pending&kind=manual`, undefined, { token: viewer });
    expect(pendingManual.body.items.map((i: any) => i.id)).toEqual([ids[4], ids[2]]);
    const rejected = await t.http('GET', `${A}?subject=${subject}&status=rejected`, undefined, { token: viewer });
    expect(rejected.body.items.map((i: any) => i.id)).toEqual([ids[0]]);
  });

  it('a grant is consumed once, also under concurrency, and only for its kind and payload digest', async () => {
    const payload = { engine: 'WHOLESALE', cap: '100' };
    const grant = await file({ kind: 'engine_reenable', payload, subject: 'engine:WHOLESALE' });
    expect((await t.http('POST', `${A}/${grant.approval_id}/consume`, { kind: 'engine_reenable', payload_digest: grant.payload_digest }, { token: engine })).body.error).toBe('grant_not_consumable');
    await t.http('POST', `${A}/${grant.approval_id}/approve`, {}, { token: op1 });
    const other = await file({ kind: 'engine_reenable', payload: { ...payload, cap: '1000' }, subject: 'engine:WHOLESALE' });
    const wrongDigest = await t.http('POST', `${A}/${grant.approval_id}/consume`, { kind: 'engine_reenable', payload_digest: other.payload_digest }, { token: engine });
    expect(wrongDigest.status).toBe(409);
    expect(wrongDigest.body.message).toMatch(/digest differs/);
    const wrongKind = await t.http('POST', `${A}/${grant.approval_id}/consume`, { kind: 'manual', payload_digest: grant.payload_digest }, { token: engine });
    expect(wrongKind.status).toBe(409);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => t.http('POST', `${A}/${grant.approval_id}/consume`, { kind: 'engine_reenable', payload_digest: grant.payload_digest }, { token: engine })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    const [row] = await t.sql(`SELECT consumed_at IS NOT NULL AS consumed FROM approval_request WHERE id = $1`, [grant.approval_id]);
    expect(row.consumed).toBe(true);
  });

  it('50 concurrent approve/reject calls on one request: one final state, consistent with the decisions', async () => {
    const tokens = await Promise.all(Array.from({ length: 50 }, () => t.token('operator')));
    for (const min of [1, 3]) {
      const req = await file({ min_approvals: min });
      const results = await Promise.all(
        tokens.map((token, i) => t.http('POST', `${A}/${req.approval_id}/${i % 2 ? 'reject' : 'approve'}`, { reason: `r${i}` }, { token })),
      );
      const ok = results.filter((r) => r.status === 200);
      expect(results.every((r) => r.status === 200 || (r.status === 409 && r.body.error === 'approval_not_pending'))).toBe(true);
      const [state] = await t.sql(`SELECT status, approvals FROM approval_request WHERE id = $1`, [req.approval_id]);
      const decisions = await t.sql(`SELECT decision FROM approval_decision WHERE approval_id = $1 ORDER BY id`, [req.approval_id]);
      expect(decisions).toHaveLength(ok.length);
      const approves = decisions.filter((d) => d.decision === 'approve').length;
      const last = decisions[decisions.length - 1].decision;
      expect(state.approvals).toBe(approves);
      // Decisions in commit order: the last one decided it; none came after the final state.
      if (state.status === 'rejected') {
        expect(last).toBe('reject');
        expect(decisions.filter((d) => d.decision === 'reject')).toHaveLength(1);
        expect(approves).toBeLessThan(min);
      } else {
        expect(state.status).toBe('approved');
        expect(last).toBe('approve');
        expect(approves).toBe(min);
        expect(decisions.some((d) => d.decision === 'reject')).toBe(false);
      }
      expect(await t.sql(`SELECT status FROM approval_decided_event WHERE approval_id = $1`, [req.approval_id])).toEqual([{ status: state.status }]);
    }
  });

  it('bad input: 404, 400, 403 — and nothing changed', async () => {
    const req = await file();
    const before = await snapshot(req.approval_id);
    const count = async () => (await t.sql(`SELECT count(*)::int AS n FROM approval_request`))[0].n;
    const n = await count();
    expect((await t.http('GET', `${A}/00000000-0000-4000-8000-000000000000`, undefined, { token: viewer })).status).toBe(404);
    expect((await t.http('POST', `${A}/00000000-0000-4000-8000-000000000000/approve`, {}, { token: op1 })).body.error).toBe('approval_not_found');
    expect((await t.http('GET', `${A}/not-a-uuid`, undefined, { token: viewer })).status).toBe(400);
    expect((await t.http('POST', `${O}/approve/not-a-uuid`, undefined, { token: op1 })).status).toBe(400);
    expect((await t.http('POST', A, { kind: 'launch_missiles', subject: 's', reason: 'r' }, { token: engine })).status).toBe(400);
    expect((await t.http('POST', A, { kind: 'manual', subject: 's', reason: 'r', risk_level: 'extreme' }, { token: engine })).status).toBe(400);
    expect((await t.http('POST', A, { kind: 'manual', subject: 's', reason: 'r', timeout_seconds: 0 }, { token: engine })).status).toBe(400);
    expect((await t.http('POST', A, { kind: 'manual', subject: 's', reason: 'r', timeout_seconds: 604801 }, { token: engine })).status).toBe(400);
    expect((await t.http('POST', A, { kind: 'manual', subject: 's', reason: 'r' }, { token: viewer })).status).toBe(403);
    const noReason = await t.http('POST', `${A}/${req.approval_id}/reject`, {}, { token: op1 });
    expect(noReason.status).toBe(400);
    expect((await t.http('POST', `${A}/${req.approval_id}/reject`, undefined, { token: op1 })).status).toBe(400);
    expect((await t.http('POST', `${A}/${req.approval_id}/reject`, { reason: '   ' }, { token: op1 })).status).toBe(400);
    for (const token of [viewer, engine]) {
      expect((await t.http('POST', `${A}/${req.approval_id}/approve`, {}, { token })).status).toBe(403);
      expect((await t.http('POST', `${A}/${req.approval_id}/reject`, { reason: 'x' }, { token })).status).toBe(403);
      expect((await t.http('POST', `${O}/approve/${req.approval_id}`, undefined, { token })).status).toBe(403);
    }
    expect(await snapshot(req.approval_id)).toEqual(before);
    expect(await count()).toBe(n);
  });

  it('a retried client key answers the same request; another body under it is 409', async () => {
    const body = { kind: 'manual', subject: 'idem', reason: 'r', correlation_id: `k-${Date.now()}` };
    const a = await t.http('POST', A, body, { token: engine });
    const b = await t.http('POST', A, body, { token: engine });
    expect(b.status).toBe(202);
    expect(b.body.approval_id).toBe(a.body.approval_id);
    expect((await t.http('POST', A, { ...body, reason: 'other' }, { token: engine })).status).toBe(409);
  });

  it('metrics count requests and decisions by kind and outcome and expose the pending gauge', async () => {
    const metrics = await t.http('GET', '/metrics', undefined, { token: viewer });
    expect(metrics.body).toMatch(/warden_approval_requests_total\{kind="manual"\} \d+/);
    expect(metrics.body).toMatch(/warden_approval_decisions_total\{kind="manual",outcome="approve"\} \d+/);
    expect(metrics.body).toMatch(/warden_approval_decisions_total\{kind="manual",outcome="self_decision_forbidden"\} 1/);
    const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM approval_request WHERE status = 'pending' AND expires_at > $1`, [t.clock.now()]);
    expect(metrics.body).toContain(`warden_approvals_pending ${n}`);
  });
});

describe('approvals: expiry with the clock moved, the sweep once across two instances', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({ databaseUrl: a.databaseUrl, clock: a.clock });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('past expires_at a read, an approve and the sweep all see expired; the sweep records it once', async () => {
    const engine = await a.token('engine');
    const op = await a.token('operator');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await a.http('POST', '/api/governance/approvals', { kind: 'manual', subject: `exp-${i}`, reason: 'r', timeout_seconds: 30 }, { token: engine })).body.approval_id);
    a.clock.advance(30_000);
    const read = await b.http('GET', `/api/governance/approvals/${ids[0]}`);
    expect(read.body.status).toBe('expired');
    expect((await a.http('GET', `/api/governance/approval/status/${ids[0]}`)).body.status).toBe('timeout');
    expect((await a.http('GET', '/api/governance/approvals?status=expired')).body.items).toHaveLength(3);
    expect((await a.http('GET', '/api/governance/approvals?status=pending')).body.items).toHaveLength(0);
    expect((await a.http('GET', '/api/governance/approval/pending')).body.count).toBe(0);
    const approve = await b.http('POST', `/api/governance/approvals/${ids[1]}/approve`, {}, { token: op });
    expect(approve.status).toBe(409);
    expect(approve.body.error).toBe('approval_expired');
    expect(await a.sql(`SELECT count(*)::int AS n FROM approval_decision`)).toEqual([{ n: 0 }]);

    a.clock.advance(60_000); // a new sweep period
    const outcomes = await Promise.all([a.app.get(JobRunner).runJob(APPROVALS_EXPIRY_JOB), b.app.get(JobRunner).runJob(APPROVALS_EXPIRY_JOB)]);
    const statuses = outcomes.flat().map((o) => o.status);
    expect(statuses.filter((s) => s === 'succeeded')).toHaveLength(1);
    const ran = outcomes.flat().find((o) => o.status === 'succeeded')!;
    expect(ran.result).toEqual({ expired: 3 });
    const rows = await a.sql(`SELECT status, decided_at = expires_at AS at_expiry FROM approval_request`);
    expect(rows).toEqual(Array(3).fill({ status: 'expired', at_expiry: true }));
    expect(await a.sql(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'approval.expire'`)).toEqual([{ n: 3 }]);
    expect(await a.sql(`SELECT count(*)::int AS n FROM approval_decided_event WHERE status = 'expired'`)).toEqual([{ n: 3 }]);
    const again = await b.app.get(JobRunner).runJob(APPROVALS_EXPIRY_JOB);
    expect(again.every((o) => o.status !== 'succeeded' || (o.result as { expired: number }).expired === 0)).toBe(true);
  });
});
