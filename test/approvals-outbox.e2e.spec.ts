import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { ApprovalsModule, ApprovalsService, type DecidedApproval } from '#approvals';
import { AuditService, type Principal, verifyWebhookSignature } from '#platform';
import { until, WebhookReceiver } from './support/receiver.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const A = '/api/governance/approvals';
const SECRET = 'test-webhook-secret';

/** A stand-in for a requesting lever: reacts to decided manual requests (kill_switch_release belongs to go-live). */
const handled: DecidedApproval[] = [];
let failFirst = true;
@Injectable()
class ProbeLever implements OnModuleInit {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly audit: AuditService,
  ) {}
  onModuleInit(): void {
    this.approvals.onDecided('manual', async (event, manager) => {
      if (event.approval.subject !== 'probe-act') return;
      const actor: Principal = { tokenId: 'system', name: 'probe', role: 'admin', engines: null, domains: null };
      await this.audit.record(manager, actor, { action: 'probe.acted', subject: `approval:${event.approval.id}` });
      if (failFirst) {
        failFirst = false;
        throw new Error('first attempt fails on purpose');
      }
      handled.push(event);
    });
  }
}
@Module({ imports: [ApprovalsModule], providers: [ProbeLever] })
class ProbeModule {}

describe('notification outbox and decided events (real receiver on 127.0.0.1)', () => {
  const receiver = new WebhookReceiver();
  let t: TestApp;
  let engine: string;
  let op: string;

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({ env: { WARDEN_WEBHOOK_URLS: receiver.url, WARDEN_WEBHOOK_SECRET: SECRET }, imports: [ProbeModule] });
    [engine, op] = await Promise.all([t.token('engine'), t.token('operator')]);
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  it('delivers requested and decided, signed, with a Slack text beside the structured body, in order per subject', async () => {
    const created = (await t.http('POST', A, { kind: 'manual', subject: 'notify-1', reason: 'ship it' }, { token: engine })).body;
    await t.http('POST', `${A}/${created.approval_id}/approve`, { reason: 'fine' }, { token: op });
    const got = await receiver.waitFor((r) => r.filter((x) => x.json.subject === `approval:${created.approval_id}`).length >= 2);
    const mine = got.filter((x) => x.json.subject === `approval:${created.approval_id}`);
    expect(mine.map((x) => x.json.topic)).toEqual(['approval.requested', 'approval.decided']);
    expect(mine[0].json).toMatchObject({ id: expect.any(Number), text: expect.stringContaining('Approval needed'), body: { approval_id: created.approval_id, kind: 'manual', status: 'pending' } });
    expect(mine[1].json.body).toMatchObject({ status: 'approved', decided_by: expect.any(String) });
    for (const m of mine) expect(verifyWebhookSignature(SECRET, m.raw, { signature: m.headers['x-warden-signature'] as string, timestamp: m.headers['x-warden-timestamp'] as string })).toBe(true);
    await until(async () => (await t.sql(`SELECT count(*)::int AS n FROM notification_outbox WHERE delivered_at IS NULL`))[0].n === 0);
  });

  it('receiver down: retried with backoff, visible in the table and /metrics, arrives after it comes back, in order', async () => {
    await receiver.stop();
    const before = receiver.received.length;
    const created = (await t.http('POST', A, { kind: 'manual', subject: 'notify-down', reason: 'r' }, { token: engine })).body;
    await t.http('POST', `${A}/${created.approval_id}/reject`, { reason: 'no' }, { token: op });
    await until(async () => (await t.sql(`SELECT attempts FROM notification_outbox WHERE subject = $1 ORDER BY id LIMIT 1`, [`approval:${created.approval_id}`]))[0]?.attempts >= 2);
    const rows = await t.sql(`SELECT topic, attempts, delivered_at, last_error FROM notification_outbox WHERE subject = $1 ORDER BY id`, [`approval:${created.approval_id}`]);
    expect(rows[0]).toMatchObject({ topic: 'approval.requested', delivered_at: null, last_error: expect.stringContaining(receiver.url) });
    // In order per subject: the later row is never tried while the earlier one is undelivered.
    expect(rows[1]).toMatchObject({ topic: 'approval.decided', attempts: 0 });
    const metrics = (await t.http('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/warden_outbox_deliveries_total\{outcome="failed"\} [1-9]/);
    expect(metrics).toMatch(/warden_outbox_undelivered [1-9]/);

    await receiver.start();
    const got = await receiver.waitFor((r) => r.slice(before).filter((x) => x.json.subject === `approval:${created.approval_id}`).length >= 2);
    expect(got.slice(before).filter((x) => x.json.subject === `approval:${created.approval_id}`).map((x) => x.json.topic)).toEqual(['approval.requested', 'approval.decided']);
  });

  it('onDecided: the requesting lever acts after commit, in its own transaction, retried after a failure, once', async () => {
    const created = (await t.http('POST', A, { kind: 'manual', subject: 'probe-act', reason: 'incident over' }, { token: engine })).body;
    expect(handled).toHaveLength(0);
    await t.http('POST', `${A}/${created.approval_id}/approve`, {}, { token: op });
    await until(() => handled.length === 1);
    // The handler runs inside the transaction that marks the event handled: wait for its commit.
    await until(async () => (await t.sql(`SELECT handled_at IS NOT NULL AS handled FROM approval_decided_event WHERE approval_id = $1`, [created.approval_id]))[0]?.handled === true);
    expect(handled[0]).toMatchObject({ status: 'approved', attempt: 2, approval: { id: created.approval_id, status: 'approved' } });
    const [event] = await t.sql(`SELECT handled_at IS NOT NULL AS handled, attempts, last_error FROM approval_decided_event WHERE approval_id = $1`, [created.approval_id]);
    expect(event).toEqual({ handled: true, attempts: 2, last_error: null });
    // The failed attempt's writes rolled back with it: the act is recorded once.
    expect(await t.sql(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'probe.acted'`)).toEqual([{ n: 1 }]);
  });
});
