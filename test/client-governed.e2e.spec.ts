import { Controller, Module, Post, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApprovalPendingError, ApprovalRejectedError, ApprovalTimeoutError, GateBlockedError, GovernanceUnavailableError, HeimdallNotEligibleError, WardenClient } from '@warden/client';
import { APPROVAL_HEADER, Governed, type GovernedRequest, WardenModule } from '@warden/client/nest';
import { freePort } from '#platform';
import { activePolicy, uniqueIdentity, uniqueName } from './support/factories/gate.js';
import { HeimdallFactory } from './support/factories/heimdall.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** STANDARD_POLICY (reads allowed, writes need two approvals, deletes blocked), under a name of this file's own. */
const POLICY = uniqueName('governed');
const IDENTITY = uniqueIdentity('governed');
const runs = { read: 0, write: 0, delete: 0 };

@Controller('actions')
class ActionsController {
  @Post('read')
  @Governed({ tool: 'tool.read', risk: 'low', policy: POLICY, targets: [{ kind: 'path', value: '/srv/app/report.txt', operation: 'read' }] })
  read(@Req() req: GovernedRequest) {
    runs.read++;
    return { ran: 'read', verdict: (req.wardenDecision as { verdict: string }).verdict };
  }

  @Post('write')
  @Governed({ tool: 'tool.write', risk: 'medium', policy: POLICY, args: (req) => ({ body: req.body as Record<string, unknown> }) })
  write() {
    runs.write++;
    return { ran: 'write' };
  }

  @Post('delete')
  @Governed({ tool: 'tool.delete', risk: 'high', policy: POLICY })
  remove() {
    runs.delete++;
    return { ran: 'delete' };
  }
}

/** An engine's own Nest app (not Warden's), guarded by @Governed through the client. */
async function engineApp(client: WardenClient): Promise<{ app: NestFastifyApplication; url: string }> {
  @Module({ imports: [WardenModule.forRoot({ client })], controllers: [ActionsController] })
  class EngineModule {}
  const app = await NestFactory.create<NestFastifyApplication>(EngineModule, new FastifyAdapter(), { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}` };
}

describe('@warden/client: @Governed, governed() and the gate loop against the real gate', () => {
  let t: TestApp;
  let client: WardenClient;
  let engine: { app: NestFastifyApplication; url: string };
  let operators: string[];
  const call = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${engine.url}/actions/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ note: 'x' }) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const approveTwice = async (id: string) => {
    for (const op of operators) expect((await t.http('POST', `/api/governance/approvals/${id}/approve`, { reason: 'ok' }, { token: op })).status).toBe(200);
  };

  beforeAll(async () => {
    t = await startTestApp();
    await activePolicy(t, 'enforce', undefined, POLICY);
    const token = await t.token('engine', { identities: [IDENTITY] });
    operators = [await t.token('operator'), await t.token('operator')];
    client = await WardenClient.connect({ baseUrl: t.url, token, identity: IDENTITY, workspace: '/srv/app' });
    engine = await engineApp(client);
  });
  afterAll(async () => {
    await engine?.app.close();
    await client?.close();
    await t?.close();
  });

  it('@Governed runs the handler on allow (the decision handed to it)', async () => {
    const before = runs.read;
    const res = await call('read');
    expect(res).toEqual({ status: 201, body: { ran: 'read', verdict: 'allow' } });
    expect(runs.read).toBe(before + 1);
  });

  it('@Governed refuses on block: 403 gate_blocked with the reasons, the handler does not run', async () => {
    const res = await call('delete');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'gate_blocked', reason_codes: ['delete_forbidden'] });
    expect(res.body.decision_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(runs.delete).toBe(0);
  });

  it('@Governed refuses on pending (403 approval_pending); once approved, the re-sent request runs, once', async () => {
    const held = await call('write');
    expect(held.status).toBe(403);
    expect(held.body).toMatchObject({ error: 'approval_pending', reason_codes: ['approval_required_for_write'] });
    const id = held.body.approval_id as string;
    expect(runs.write).toBe(0);
    // Not yet approved: the re-sent request is still refused.
    expect((await call('write', { [APPROVAL_HEADER]: id })).status).toBe(403);
    expect(runs.write).toBe(0);
    await approveTwice(id);
    expect(await call('write', { [APPROVAL_HEADER]: id })).toEqual({ status: 201, body: { ran: 'write' } });
    expect(runs.write).toBe(1);
    // A grant is consumed once.
    expect((await call('write', { [APPROVAL_HEADER]: id })).status).toBe(403);
    expect(runs.write).toBe(1);
  });

  it('@Governed with Warden unreachable: 503, the handler does not run', async () => {
    const dead = new WardenClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, token: 'x', retry: { maxAttempts: 2, initialDelayMs: 10 } });
    const other = await engineApp(dead);
    try {
      const before = runs.read;
      const res = await fetch(`${other.url}/actions/read`, { method: 'POST' });
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).error).toBe('governance_unavailable');
      expect(runs.read).toBe(before);
    } finally {
      await other.app.close();
    }
  });

  it('governed(fn): runs on allow, throws the typed refusals on block and pending', async () => {
    let ran = 0;
    const act = (tool: string) => client.governed(async (n: number) => (ran += n), { tool, risk: 'medium', policy: POLICY });
    expect(await act('tool.read')(2)).toBe(2);
    const blocked = await act('tool.delete')(1).catch((e) => e);
    expect(blocked).toBeInstanceOf(GateBlockedError);
    expect(blocked.reasonCodes).toEqual(['delete_forbidden']);
    const pending = await act('tool.write')(1).catch((e) => e);
    expect(pending).toBeInstanceOf(ApprovalPendingError);
    expect(pending.approvalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ran).toBe(2);
  });

  it('waitForApproval: a timeout is a rejection; a rejection rejects; an approval (told by the stream) re-submits and runs once', async () => {
    let ran = 0;
    const write = (timeoutMs: number) =>
      client.governed(async () => ++ran, { tool: 'tool.write', risk: 'medium', policy: POLICY, args: { n: timeoutMs }, waitForApproval: { timeoutMs, pollMs: 60_000 } });

    const timedOut = await write(300)().catch((e) => e);
    expect(timedOut).toBeInstanceOf(ApprovalTimeoutError);
    expect(timedOut.reasonCodes).toEqual(['approval_timeout']);

    const first = await client.gate.evaluate(intentOf('tool.write'), { policy: POLICY });
    expect(first.kind).toBe('pending');
    const id = (first as { approvalId: string }).approvalId;
    const waiting = client.gate.waitForApproval(id, { timeoutMs: 30_000, pollMs: 60_000 }).catch((e) => e);
    expect((await t.http('POST', `/api/governance/approvals/${id}/reject`, { reason: 'no' }, { token: operators[0] })).status).toBe(200);
    const rejected = await waiting;
    expect(rejected).toBeInstanceOf(ApprovalRejectedError);
    expect(rejected.approvalStatus).toBe('rejected');

    // pollMs is a minute: only the stream's approval event can wake the wait within the test.
    const known = await pendingIds(t);
    const approved = write(60_000)();
    const pendingId = await newPending(t, known);
    await approveTwice(pendingId);
    expect(await approved).toBe(1);
    expect(ran).toBe(1);
  });

  it('heimdall.requireProdEligible: the eligibility when eligible, HeimdallNotEligibleError with the failing gate otherwise', async () => {
    const h = await HeimdallFactory.create(t);
    const heimdallClient = new WardenClient({ baseUrl: t.url, token: h.tokens.engine });
    const { id } = await h.eligibleRecommendation();
    expect(await heimdallClient.heimdall.requireProdEligible(id)).toMatchObject({ recommendation_id: id, prod_eligible: true });
    const closedDomain = await h.policy({ prod_use_enabled: false });
    const rec = await h.recommend(closedDomain, 0.95);
    const err = await heimdallClient.heimdall.requireProdEligible(rec.body.id).catch((e) => e);
    expect(err).toBeInstanceOf(HeimdallNotEligibleError);
    expect(err.status).toBe(403);
    expect(err.reasonCodes).toContain('prod_use_disabled');
    expect(err).not.toBeInstanceOf(GovernanceUnavailableError);
  });
});

function intentOf(tool: string) {
  return {
    tool_name: tool,
    args: { path: '/srv/app/x' },
    targets: [{ kind: 'path', value: '/srv/app/x', operation: tool.split('.')[1] }],
    context: { identity: IDENTITY, workspace: '/srv/app', risk_class: 'medium' },
  };
}

async function pendingIds(t: TestApp): Promise<Set<string>> {
  return new Set((await t.sql(`SELECT id FROM approval_request WHERE status = 'pending'`)).map((r) => r.id as string));
}

/** The pending approval filed since `known` was read (the governed call is waiting on it). */
async function newPending(t: TestApp, known: Set<string>): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const fresh = [...(await pendingIds(t))].filter((id) => !known.has(id));
    if (fresh.length === 1) return fresh[0];
    if (Date.now() > deadline) throw new Error(`no new pending approval (${fresh.length})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
