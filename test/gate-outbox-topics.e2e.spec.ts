import { loadConfig, topicSelected } from '#platform';
import { WebhookReceiver } from './support/receiver.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { activePolicy, evaluate, intent, uniqueIdentity } from './support/factories/gate.js';

/** What the outbox holds for one decision (the subject is `gate_decision:<id>`). */
const outboxOf = (t: TestApp, decisionId: string) =>
  t.sql<{ topic: string; text: string; body: Record<string, any> }>(`SELECT topic, text, body FROM notification_outbox WHERE subject = $1 ORDER BY id`, [`gate_decision:${decisionId}`]);

describe('gate decisions reach the notification outbox: gate.blocked, gate.approval_required (real receiver on 127.0.0.1)', () => {
  const receiver = new WebhookReceiver();
  let t: TestApp;
  let engine: string;
  let policy: string;
  const who = uniqueIdentity('agent');

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({ env: { WARDEN_WEBHOOK_URLS: receiver.url } });
    engine = await t.token('engine', { identities: [who] });
    policy = (await activePolicy(t)).name;
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  it('a block is written with its decision, reasons in the Slack text, and delivered', async () => {
    const res = await evaluate(t, { intent: intent('tool.delete', who), policy }, engine);
    expect(res.status).toBe(403);
    const rows = await outboxOf(t, res.body.decision_id);
    expect(rows).toHaveLength(1);
    expect(rows[0].topic).toBe('gate.blocked');
    expect(rows[0].body.reason_codes).toContain('delete_forbidden');
    for (const code of res.body.reason_codes) expect(rows[0].text).toContain(code);
    expect(rows[0].text).toContain(who);
    expect(rows[0].text).toContain(res.body.decision_id);
    expect(rows[0].body).toMatchObject({ decision_id: res.body.decision_id, verdict: 'block', reason_codes: res.body.reason_codes, identity: who, policy, tool_name: 'tool.delete', violations: ['destructive_action'], trace_id: res.body.trace_id });
    const got = await receiver.waitFor((r) => r.some((x) => x.json.subject === `gate_decision:${res.body.decision_id}`));
    expect(got.find((x) => x.json.subject === `gate_decision:${res.body.decision_id}`)!.json).toMatchObject({ topic: 'gate.blocked', text: expect.stringContaining('delete_forbidden') });
  });

  it('a hold for approval is written with the decision and the approval it filed', async () => {
    const res = await evaluate(t, { intent: intent('tool.write', who), policy }, engine);
    expect(res.status).toBe(202);
    const rows = await outboxOf(t, res.body.decision_id);
    expect(rows.map((r) => r.topic)).toEqual(['gate.approval_required']);
    expect(rows[0].text).toContain('approval_required_for_write');
    expect(rows[0].text).toContain(res.body.approval_id);
    expect(rows[0].body).toMatchObject({ verdict: 'require_approval', approval_id: res.body.approval_id });
    // the approvals lever's own notification is there too, under its own topic
    expect(await t.sql(`SELECT topic FROM notification_outbox WHERE subject = $1`, [`approval:${res.body.approval_id}`])).toEqual([{ topic: 'approval.requested' }]);
  });

  it('an allowed, a simulated or an observe-mode decision writes nothing to the outbox', async () => {
    const allowed = await evaluate(t, { intent: intent('tool.read', who), policy }, engine);
    expect(allowed.status).toBe(200);
    const simulated = await evaluate(t, { intent: intent('tool.delete', who), policy, simulate: true }, engine);
    expect([simulated.status, simulated.body.simulated_verdict]).toEqual([200, 'block']);
    const observe = (await activePolicy(t, 'observe')).name;
    const observed = await evaluate(t, { intent: intent('tool.delete', who), policy: observe }, engine);
    expect([observed.status, observed.body.would_have_blocked]).toEqual([200, true]);
    for (const r of [allowed, simulated, observed]) expect(await outboxOf(t, r.body.decision_id)).toEqual([]);
  });

  it('the outbox row commits with its decision: every stored block has exactly one notification', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => evaluate(t, { intent: intent('tool.delete', who), policy }, engine)));
    expect(results.every((r) => r.status === 403)).toBe(true);
    const [{ orphans }] = await t.sql(
      `SELECT count(*)::int AS orphans FROM gate_decision d
        WHERE d.verdict IN ('block', 'require_approval') AND NOT d.simulate
          AND (SELECT count(*) FROM notification_outbox o WHERE o.subject = 'gate_decision:' || d.id) <> 1`,
    );
    expect(orphans).toBe(0);
  });
});

describe('WARDEN_WEBHOOK_TOPICS filters per topic', () => {
  let t: TestApp;
  let engine: string;
  let policy: string;
  const who = uniqueIdentity('agent');

  beforeAll(async () => {
    // nothing listens there: the rows are what is checked, and they are written whether or not delivery works
    t = await startTestApp({ env: { WARDEN_WEBHOOK_URLS: 'http://127.0.0.1:9/hook', WARDEN_WEBHOOK_TOPICS: 'gate.blocked' } });
    engine = await t.token('engine', { identities: [who] });
    policy = (await activePolicy(t)).name;
  });
  afterAll(async () => t?.close());

  it('only the listed topic is written: a block is, a hold and the approval request are not', async () => {
    const blocked = await evaluate(t, { intent: intent('tool.delete', who), policy }, engine);
    expect((await outboxOf(t, blocked.body.decision_id)).map((r) => r.topic)).toEqual(['gate.blocked']);
    const held = await evaluate(t, { intent: intent('tool.write', who), policy }, engine);
    expect(held.status).toBe(202);
    expect(await outboxOf(t, held.body.decision_id)).toEqual([]);
    expect(await t.sql(`SELECT topic FROM notification_outbox WHERE subject = $1`, [`approval:${held.body.approval_id}`])).toEqual([]);
  });

  it('patterns: exact topics, prefixes, * and unset', () => {
    expect(topicSelected('gate.blocked', undefined)).toBe(true);
    expect(topicSelected('gate.blocked', ['gate.*'])).toBe(true);
    expect(topicSelected('gate.approval_required', ['gate.*'])).toBe(true);
    expect(topicSelected('gateway.x', ['gate.*'])).toBe(false);
    expect(topicSelected('approval.requested', ['gate.*'])).toBe(false);
    expect(topicSelected('approval.requested', ['gate.blocked', 'approval.*'])).toBe(true);
    expect(topicSelected('gate.approval_required', ['gate.blocked'])).toBe(false);
    expect(topicSelected('anything', ['*'])).toBe(true);
  });

  it('a bad pattern stops the start, naming the variable', () => {
    expect(loadConfig({ WARDEN_WEBHOOK_TOPICS: 'gate.*, approval.requested' }).WARDEN_WEBHOOK_TOPICS).toEqual(['gate.*', 'approval.requested']);
    expect(loadConfig({}).WARDEN_WEBHOOK_TOPICS).toBeUndefined();
    for (const bad of ['Gate.Blocked', 'gate.*.x', '*.blocked', ' , ']) {
      expect(() => loadConfig({ WARDEN_WEBHOOK_TOPICS: bad })).toThrow(/WARDEN_WEBHOOK_TOPICS/);
    }
  });
});
