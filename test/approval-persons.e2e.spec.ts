import { randomBytes } from 'node:crypto';
import { ADMIN_TOKEN, startTestApp, type TestApp } from './support/test-app.js';
import { APPROVALS, goLiveApi } from './support/factories/go-live.js';

/**
 * Another approver means another person (issue 17, B), written as the attacks: each sequence that
 * used to succeed is refused and leaves nothing behind; a genuinely different person still decides.
 */
describe('approvals count persons, not tokens (real HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let api: ReturnType<typeof goLiveApi>;
  let viewer: string;
  let engine: string;

  /** A token minted by `by` (a token value): its value, id, name and person as the API shows them. */
  async function mint(by: string, role: string, owner?: string): Promise<{ token: string; id: string; name: string; person: string }> {
    const name = `${role}-${randomBytes(4).toString('hex')}`;
    const res = await t.http('POST', '/api/governance/tokens', { name, role, ...(owner ? { owner } : {}) }, { token: by });
    expect(res.status).toBe(201);
    return { token: res.body.token, id: res.body.id, name, person: res.body.person };
  }
  const file = async (token: string, body: Record<string, unknown> = {}) => {
    const res = await t.http('POST', APPROVALS, { kind: 'manual', subject: `s-${randomBytes(4).toString('hex')}`, reason: 'deploy it', ...body }, { token });
    expect(res.status).toBe(202);
    return res.body.approval_id as string;
  };
  const approve = (id: string, token: string) => t.http('POST', `${APPROVALS}/${id}/approve`, { reason: 'checked' }, { token });
  const state = async (id: string) => ({
    request: (await t.sql(`SELECT status, approvals FROM approval_request WHERE id = $1`, [id]))[0],
    decisions: (await t.sql(`SELECT approver, approver_person FROM approval_decision WHERE approval_id = $1 ORDER BY id`, [id])).length,
  });

  beforeAll(async () => {
    t = await startTestApp({ env: { WARDEN_TWO_PERSON: 'kill_switch_release' } });
    api = goLiveApi(t);
    [viewer, engine] = await Promise.all([t.token('viewer'), t.token('engine')]);
  });
  afterAll(async () => t?.close());

  it('tokens belong to a person: their owner when given, else themselves; the maker is recorded by person', async () => {
    const own = await mint(ADMIN_TOKEN, 'operator');
    expect(own.person).toBe(`token:${own.name.toLowerCase()}`);
    const alices = await mint(ADMIN_TOKEN, 'operator', 'Alice');
    const listed = (await t.http('GET', '/api/governance/tokens')).body.find((x: { id: string }) => x.id === alices.id);
    expect(listed).toMatchObject({ owner: 'Alice', person: 'token:alice', created_by: 'bootstrap', created_by_person: 'token:bootstrap' });
    const [audit] = await t.sql(`SELECT details FROM audit_log WHERE action = 'token.create' AND subject = $1`, [`token:${alices.id}`]);
    expect(audit.details).toMatchObject({ owner: 'Alice', person: 'token:alice', created_by_person: 'token:bootstrap' });
    for (const owner of ['system', 'cli:root', ' ', 'Ѕystem', 'a/b']) {
      const res = await t.http('POST', '/api/governance/tokens', { name: `o-${randomBytes(3).toString('hex')}`, role: 'operator', owner });
      expect([res.status, res.body.error]).toEqual([400, 'validation_failed']);
    }
  });

  it("the admin's puppet: an admin engages, asks to release, and approves with a token it minted → 403, the switch stays engaged", async () => {
    // Minted before the request, so only "made by the requester" can refuse them: directly, with
    // another owner named, and through a second admin token the first one made.
    const puppet = await mint(ADMIN_TOKEN, 'operator');
    const disguised = await mint(ADMIN_TOKEN, 'operator', 'someone-else');
    const admin2 = await mint(ADMIN_TOKEN, 'admin');
    const grandPuppet = await mint(admin2.token, 'operator');
    expect((await api.engage('incident 7', ADMIN_TOKEN)).status).toBe(200);
    const asked = await api.release('all clear', ADMIN_TOKEN);
    expect(asked.status).toBe(202);
    const id = asked.body.approval_id as string;
    for (const token of [puppet.token, disguised.token, grandPuppet.token]) {
      const res = await api.approve(id, token);
      expect([res.status, res.body.error, res.body.details?.rule]).toEqual([403, 'self_decision_forbidden', 'made_by_requester']);
    }
    expect((await api.state(viewer)).body.kill_switch_engaged).toBe(true);
    expect(await state(id)).toEqual({ request: { status: 'pending', approvals: 0 }, decisions: 0 });
    // The database refuses it whatever statement inserts it.
    await expect(
      t.sql(`INSERT INTO approval_decision (approval_id, approver, approver_token, approver_role, decision, decided_at) VALUES ($1, $2, $3, 'operator', 'approve', now())`, [
        id,
        puppet.name,
        puppet.id,
      ]),
    ).rejects.toThrow(/cannot decide it/);
    expect(await state(id)).toEqual({ request: { status: 'pending', approvals: 0 }, decisions: 0 });
    expect((await t.http('POST', `${APPROVALS}/${id}/cancel`, { reason: 'test over' })).status).toBe(200);
  });

  it('two tokens of one person count once on a 2-of-M request (409, not counted); another person completes it', async () => {
    const [alice1, alice2, bob] = [await mint(ADMIN_TOKEN, 'operator', 'alice'), await mint(ADMIN_TOKEN, 'admin', 'ALICE'), await mint(ADMIN_TOKEN, 'operator', 'bob')];
    const id = await file(engine, { min_approvals: 2 });
    expect((await approve(id, alice1.token)).body).toMatchObject({ status: 'pending', approvals: 1 });
    const again = await approve(id, alice2.token);
    expect([again.status, again.body.error, again.body.details?.by]).toEqual([409, 'already_decided_by_approver', 'person']);
    expect(await state(id)).toEqual({ request: { status: 'pending', approvals: 1 }, decisions: 1 });
    const rejectAgain = await t.http('POST', `${APPROVALS}/${id}/reject`, { reason: 'changed my mind' }, { token: alice2.token });
    expect(rejectAgain.status).toBe(409);
    expect((await approve(id, bob.token)).body).toMatchObject({ status: 'approved', approvals: 2 });
    const got = await t.http('GET', `${APPROVALS}/${id}`, undefined, { token: viewer });
    expect(got.body.decisions.map((d: { approver_person: string }) => d.approver_person)).toEqual(['token:alice', 'token:bob']);
  });

  it('two tokens of one person racing on 2-of-M requests: exactly one counts, every time', async () => {
    const [c1, c2] = [await mint(ADMIN_TOKEN, 'operator', 'carol'), await mint(ADMIN_TOKEN, 'operator', 'carol')];
    for (let i = 0; i < 12; i++) {
      const id = await file(engine, { min_approvals: 2 });
      const results = await Promise.all([approve(id, c1.token), approve(id, c2.token)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(results.find((r) => r.status === 409)!.body.error).toBe('already_decided_by_approver');
      expect(await state(id)).toEqual({ request: { status: 'pending', approvals: 1 }, decisions: 1 });
    }
  });

  it('an approver and a token it minted count once: an admin cannot add its own puppet to its approval', async () => {
    const erin = await mint(ADMIN_TOKEN, 'admin', 'erin');
    const erinsPuppet = await mint(erin.token, 'operator', 'not-erin');
    const id = await file(engine, { min_approvals: 2 });
    expect((await approve(id, erin.token)).status).toBe(200);
    const res = await approve(id, erinsPuppet.token);
    expect([res.status, res.body.error, res.body.details?.by]).toEqual([409, 'already_decided_by_approver', 'person']);
    // In the other order as well.
    const id2 = await file(engine, { min_approvals: 2 });
    expect((await approve(id2, erinsPuppet.token)).status).toBe(200);
    expect((await approve(id2, erin.token)).status).toBe(409);
    expect(await state(id2)).toEqual({ request: { status: 'pending', approvals: 1 }, decisions: 1 });
  });

  it('a token created after the request was filed cannot decide it (403, nothing written)', async () => {
    const id = await file(engine);
    const late = await mint(ADMIN_TOKEN, 'operator', 'frank');
    const res = await approve(id, late.token);
    expect([res.status, res.body.error, res.body.details?.rule]).toEqual([403, 'self_decision_forbidden', 'made_after_request']);
    expect(await state(id)).toEqual({ request: { status: 'pending', approvals: 0 }, decisions: 0 });
    // A request filed after the token was made is its to decide.
    expect((await approve(await file(engine), late.token)).status).toBe(200);
  });

  it("a token minted by the requester's person (through another of its tokens) cannot decide it; a different person can", async () => {
    const danaOperator = await mint(ADMIN_TOKEN, 'operator', 'dana');
    const danaAdmin = await mint(ADMIN_TOKEN, 'admin', 'dana');
    const minted = await mint(danaAdmin.token, 'operator');
    const stranger = await mint(ADMIN_TOKEN, 'operator', 'grace');
    const id = await file(danaOperator.token);
    const own = await approve(id, danaAdmin.token);
    expect([own.status, own.body.error, own.body.details?.rule]).toEqual([403, 'self_decision_forbidden', 'requester']);
    const byMinted = await approve(id, minted.token);
    expect([byMinted.status, byMinted.body.error, byMinted.body.details?.rule]).toEqual([403, 'self_decision_forbidden', 'made_by_requester']);
    expect(await state(id)).toEqual({ request: { status: 'pending', approvals: 0 }, decisions: 0 });
    expect((await approve(id, stranger.token)).body).toMatchObject({ status: 'approved', approvals: 1 });
    const audit = await t.sql(`SELECT details FROM audit_log WHERE action = 'approval.approve' AND subject = $1`, [`approval:${id}`]);
    expect(audit).toEqual([{ details: expect.objectContaining({ person: 'token:grace' }) }]);
  });

  it('a kill switch engaged by one operator is released by another person; the switch opens', async () => {
    const [ops1, ops2] = [await mint(ADMIN_TOKEN, 'operator', 'henry'), await mint(ADMIN_TOKEN, 'operator', 'iris')];
    expect((await api.engage('incident 8', ops1.token)).status).toBe(200);
    const asked = await api.release('fixed', ops1.token);
    expect(asked.status).toBe(202);
    expect((await api.approve(asked.body.approval_id, ops2.token)).status).toBe(200);
    for (let i = 0; i < 50 && (await api.state(viewer)).body.kill_switch_engaged; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await api.state(viewer)).body.kill_switch_engaged).toBe(false);
  });
});
