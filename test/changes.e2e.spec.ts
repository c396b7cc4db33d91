import { APPROVALS_EXPIRY_JOB } from '#approvals';
import { JobRunner } from '#platform';
import { until, WebhookReceiver } from './support/receiver.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { C, change, G, held, propose, runId } from './support/factories/changes.js';

const outbox = (t: TestApp, requestId: string) => t.sql<{ topic: string; body: any; text: string }>(`SELECT topic, body, text FROM notification_outbox WHERE subject = $1 ORDER BY id`, [`change:${requestId}`]);

describe('change governance: POST /changes (real HTTP, real PostgreSQL)', () => {
  const receiver = new WebhookReceiver();
  let t: TestApp;
  let engine: string;

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({ env: { WARDEN_WEBHOOK_URLS: receiver.url } });
    engine = await t.token('engine');
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  it('tier 1: the issue example is auto-approved, 201 with Autopack\'s fields and the risk score', async () => {
    const body = change();
    const res = await t.http('POST', C, body, { token: engine });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      run_id: body.run_id, phase_id: 'p1', requested_paths: ['tests/test_a.py', 'docs/GUIDE.md'], justification: 'add a test and its guide', risk_level: 'low', tier: 1,
      auto_approved: true, approved: true, approved_by: 'auto', status: 'approved',
      risk_score: { level: 'low', factors: { scope_size: 0, protected_paths: 0, category: 0.15, cross_cutting: 0.05 }, reasons: [] },
    });
    expect(res.body.risk_score.score).toBeCloseTo(0.035, 12);
    expect(res.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).not.toHaveProperty('error_type');
    expect(res.body).not.toHaveProperty('approval_id');
    expect(await outbox(t, res.body.request_id)).toEqual([]);
    const stored = await t.http('GET', `${G}/request/${res.body.request_id}`);
    expect(stored.body).toEqual(res.body);
  });

  it('tier 2: a MEDIUM change the policy lets through answers 201 and notifies change.auto_approved with the console link', async () => {
    const res = await propose(t, engine, { risk_level: 'medium' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ tier: 2, risk_level: 'medium', auto_approved: true, reason_codes: ['risk_level_medium'] });
    const rows = await outbox(t, res.body.request_id);
    expect(rows.map((r) => r.topic)).toEqual(['change.auto_approved']);
    expect(rows[0].body).toMatchObject({ request_id: res.body.request_id, tier: 2, link: '/console/approvals', paths: ['tests/test_a.py', 'docs/GUIDE.md'] });
    expect(rows[0].text).toContain('/console/approvals');
  });

  it('held: 202 with approval_id (kind change) and the structured protected-path error; critical needs two approvers', async () => {
    const res = await propose(t, engine, { paths: ['tests/test_a.py', 'src/autopack/models.py'], justification: 'Adding new field' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      tier: 4, risk_level: 'critical', auto_approved: false, approved: null, approved_by: null, status: 'pending',
      error_type: 'protected_path_violation', violated_paths: ['src/autopack/models.py'], requires_approval: true, justification: 'Adding new field',
    });
    const approval = await t.http('GET', `${G}/approvals/${res.body.approval_id}`);
    expect(approval.body).toMatchObject({ kind: 'change', subject: `change:${res.body.request_id}`, status: 'pending', risk_level: 'critical', min_approvals: 2 });
    expect(new Date(res.body.expires_at).getTime() - new Date(res.body.created_at).getTime()).toBe(3600_000);
  });

  it('bad input is 400 invalid_change naming every problem, and stores nothing', async () => {
    const before = await t.sql(`SELECT count(*)::int AS n FROM change_request`);
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ paths: [] }, ['no_paths']],
      [{ paths: ['../secrets.txt'] }, ['path_climbs_out']],
      [{ paths: ['/etc/passwd'] }, ['path_absolute']],
      [{ paths: Array.from({ length: 10_000 }, (_, i) => `tests/test_${i}.py`) }, ['too_many_paths']],
      [{ paths: ['docs/a.md', 'docs/a.md', 'x/../y'] }, ['path_duplicate', 'path_climbs_out']],
      [{ risk_level: 'severe', extra: 1 }, ['unknown_field', 'invalid_risk_level']],
    ];
    for (const [over, codes] of cases) {
      const res = await propose(t, engine, over);
      expect([JSON.stringify(over).slice(0, 60), res.status, res.body.error]).toEqual([JSON.stringify(over).slice(0, 60), 400, 'invalid_change']);
      expect(res.body.reason_codes).toEqual(codes);
      expect(res.body.details.fields.length).toBeGreaterThan(0);
    }
    // NUL never reaches the lever: the platform's JSON reader refuses it in any string (the CLI's reader, decide/, refuses it too).
    const nul = await propose(t, engine, { paths: ['tests/test_a.py\u0000.sh'] });
    expect([nul.status, nul.body.error]).toEqual([400, 'invalid_string']);
    expect(await t.sql(`SELECT count(*)::int AS n FROM change_request`)).toEqual(before);
  });

  it('roles: a viewer cannot propose; the metrics count decisions by tier', async () => {
    expect((await propose(t, await t.token('viewer'))).status).toBe(403);
    const metrics = (await t.http<string>('GET', '/metrics')).body;
    for (const tier of [1, 2, 4]) expect(metrics).toMatch(new RegExp(`warden_decisions_total\\{lever="changes",outcome="tier_${tier}"\\} [1-9]`));
    expect(metrics).toMatch(/warden_decisions_total\{lever="changes",outcome="invalid"\} [1-9]/);
  });
});

describe('change governance: a bound engine files only for its own runs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('the run belongs to the engine of its first change; another engine, or a fleet-wide contradiction, is refused', async () => {
    const wholesale = await t.token('engine', { engines: ['WHOLESALE'] });
    const capital = await t.token('engine', { engines: ['CAPITAL'] });
    const both = await t.token('engine', { engines: ['WHOLESALE', 'CAPITAL'] });
    const fleet = await t.token('engine');
    const run = runId('own');
    const first = await propose(t, wholesale, { run_id: run });
    expect(first.status).toBe(201);
    expect(first.body.engine).toBe('WHOLESALE');
    expect((await propose(t, wholesale, { run_id: run, phase_id: 'p2' })).status).toBe(201);
    const other = await propose(t, capital, { run_id: run });
    expect([other.status, other.body.error]).toEqual([403, 'run_not_owned']);
    expect([(await propose(t, capital, { run_id: run, engine: 'WHOLESALE' })).body.error]).toEqual(['engine_not_bound']);
    expect((await propose(t, both, { run_id: run })).body.error).toBe('engine_required');
    expect((await propose(t, both, { run_id: run, engine: 'WHOLESALE' })).status).toBe(201);
    // An unbound engine token acts fleet-wide (the run keeps its engine), but cannot contradict it.
    const fleetFiled = await propose(t, fleet, { run_id: run });
    expect([fleetFiled.status, fleetFiled.body.engine]).toEqual([201, 'WHOLESALE']);
    expect((await propose(t, fleet, { run_id: run, engine: 'CAPITAL' })).body.error).toBe('run_engine_mismatch');
    // A run opened fleet-wide without an engine belongs to no engine: no bound token files into it.
    const loose = runId('loose');
    expect((await propose(t, fleet, { run_id: loose })).status).toBe(201);
    expect((await propose(t, wholesale, { run_id: loose })).body.error).toBe('run_not_owned');
  });
});

describe("Autopack's routes over the same service, decisions through Warden approvals", () => {
  let t: TestApp;
  let engine: string;
  let op1: string;
  let op2: string;
  const handled = (approvalId: string) => until(async () => (await t.sql(`SELECT handled_at IS NOT NULL AS h FROM approval_decided_event WHERE approval_id = $1`, [approvalId]))[0]?.h === true);

  beforeAll(async () => {
    t = await startTestApp();
    [engine, op1, op2] = await Promise.all([t.token('engine'), t.token('operator'), t.token('operator')]);
  });
  afterAll(() => t?.close());

  it('pending -> approved by a second operator; request and history show it; a decided request never changes (409)', async () => {
    const run = runId('flow');
    const h = await held(t, engine, { run_id: run });
    const pending = await t.http('GET', `${G}/pending`);
    expect(pending.status).toBe(200);
    expect(pending.body.pending_requests[0]).toMatchObject({ request_id: h.request_id, approved: null, status: 'pending' });
    expect(pending.body.count).toBeGreaterThanOrEqual(1);

    const ok = await t.http('POST', `${G}/approve/${h.request_id}?approved=true&user_id=alice`, undefined, { token: op1 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'approved', request_id: h.request_id, message: 'Governance request approved', approvals: 1, min_approvals: 1 });
    const got = await t.http('GET', `${G}/request/${h.request_id}`);
    expect(got.body).toMatchObject({ status: 'approved', approved: true, auto_approved: false });
    expect(got.body.approved_by).toMatch(/^operator-/);
    expect((await t.http('GET', `${G}/pending`)).body.pending_requests.map((r: any) => r.request_id)).not.toContain(h.request_id);
    const again = await t.http('POST', `${G}/approve/${h.request_id}?approved=false`, undefined, { token: op2 });
    expect([again.status, again.body.error]).toEqual([409, 'change_not_pending']);
    const audit = await t.sql(`SELECT action, actor_label FROM audit_log WHERE subject = $1`, [`change:${h.request_id}`]);
    expect(audit).toEqual([{ action: 'changes.approve', actor_label: 'alice' }]);
    // An auto-approved change was decided at birth.
    const auto = await propose(t, engine, { run_id: run });
    expect((await t.http('POST', `${G}/approve/${auto.body.request_id}`, undefined, { token: op1 })).status).toBe(409);

    const history = await t.http('GET', `${G}/history?run_id=${run}`);
    expect(history.body).toMatchObject({ run_id: run, count: 2 });
    expect(history.body.requests.map((r: any) => [r.request_id, r.status])).toEqual([[auto.body.request_id, 'approved'], [h.request_id, 'approved']]);
  });

  it('deny: approved=false rejects; Autopack sees approved false', async () => {
    const h = await held(t, engine);
    const no = await t.http('POST', `${G}/approve/${h.request_id}?approved=false&user_id=bob`, undefined, { token: op1 });
    expect(no.body).toMatchObject({ status: 'denied' });
    expect((await t.http('GET', `${G}/request/${h.request_id}`)).body).toMatchObject({ status: 'rejected', approved: false });
  });

  it('self-approval is refused: the person who filed a change cannot decide it', async () => {
    const h = await held(t, op1);
    const self = await t.http('POST', `${G}/approve/${h.request_id}`, undefined, { token: op1 });
    expect([self.status, self.body.error]).toEqual([403, 'self_decision_forbidden']);
    expect((await t.http('POST', `${G}/approve/${h.request_id}`, undefined, { token: engine })).status).toBe(403);
    expect((await t.http('GET', `${G}/request/${h.request_id}`)).body.status).toBe('pending');
  });

  it('critical: two distinct persons; the first approval leaves it pending', async () => {
    const h = await held(t, engine, { paths: ['.env.production'] });
    expect(h.risk_level).toBe('medium');
    const crit = await held(t, engine, { paths: ['alembic/versions/002.py'] });
    expect(crit.risk_level).toBe('critical');
    const first = await t.http('POST', `${G}/approve/${crit.request_id}`, undefined, { token: op1 });
    expect(first.body).toMatchObject({ status: 'pending', approvals: 1, min_approvals: 2 });
    expect((await t.http('POST', `${G}/approve/${crit.request_id}`, undefined, { token: op1 })).body.error).toBe('already_decided_by_approver');
    const second = await t.http('POST', `${G}/approve/${crit.request_id}`, undefined, { token: op2 });
    expect(second.body).toMatchObject({ status: 'approved', approvals: 2 });
  });

  it('a decision taken on the approvals API reaches the change (decided event), exactly once', async () => {
    const h = await held(t, engine);
    expect((await t.http('POST', `${G}/approvals/${h.approval_id}/approve`, {}, { token: op2 })).status).toBe(200);
    expect((await t.http('GET', `${G}/request/${h.request_id}`)).body.status).toBe('approved');
    await handled(h.approval_id);
    expect(await t.sql(`SELECT status FROM change_request WHERE id = $1`, [h.request_id])).toEqual([{ status: 'approved' }]);
  });

  it('unknown id 404; a malformed one 400', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await t.http('GET', `${G}/request/${missing}`)).body.error).toBe('change_not_found');
    expect((await t.http('POST', `${G}/approve/${missing}`, undefined, { token: op1 })).status).toBe(404);
    expect((await t.http('GET', `${G}/request/abc`)).status).toBe(400);
  });

  it('expiry is rejection: past expires_at the change reads expired, cannot be approved, and the sweep records it', async () => {
    const h = await held(t, engine);
    t.clock.advance(3600_000);
    expect((await t.http('GET', `${G}/request/${h.request_id}`)).body).toMatchObject({ status: 'expired', approved: false });
    const late = await t.http('POST', `${G}/approve/${h.request_id}`, undefined, { token: op1 });
    expect([late.status, late.body.error]).toEqual([409, 'change_not_pending']);
    expect((await t.http('GET', `${G}/pending`)).body.pending_requests.map((r: any) => r.request_id)).not.toContain(h.request_id);
    t.clock.advance(60_000);
    await t.app.get(JobRunner).runJob(APPROVALS_EXPIRY_JOB);
    await handled(h.approval_id);
    expect(await t.sql(`SELECT status, approved_by FROM change_request WHERE id = $1`, [h.request_id])).toEqual([{ status: 'expired', approved_by: null }]);
  });
});
