import { loadConfig } from '#platform';
import { WebhookReceiver } from './support/receiver.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const A = '/api/governance/approvals';
const MAX = 5;

/**
 * Notification spam (issue 17, E): one token filing approval requests in a burst. Each request
 * would notify every webhook and ask a person to look; past the per-requester limit the answer is
 * 429 and nothing is written (no request, no audit row, no notification).
 */
describe('the per-requester limit on pending approval requests', () => {
  const receiver = new WebhookReceiver();
  let t: TestApp;
  let engine: string;
  let engineName: string;

  const counts = async (name: string) => {
    const [row] = await t.sql(
      `SELECT (SELECT count(*)::int FROM approval_request WHERE requested_by = $1) AS requests,
              (SELECT count(*)::int FROM audit_log WHERE action = 'approval.request' AND principal = $1) AS audits,
              (SELECT count(*)::int FROM notification_outbox WHERE topic = 'approval.requested' AND body->>'requested_by' = $1) AS notifications`,
      [name],
    );
    return row as { requests: number; audits: number; notifications: number };
  };

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({ env: { WARDEN_APPROVALS_MAX_PENDING_PER_REQUESTER: String(MAX), WARDEN_WEBHOOK_URLS: receiver.url } });
    engine = await t.token('engine');
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  it('defaults to 20 and is validated at start', () => {
    expect(loadConfig({}).WARDEN_APPROVALS_MAX_PENDING_PER_REQUESTER).toBe(20);
    expect(() => loadConfig({ WARDEN_APPROVALS_MAX_PENDING_PER_REQUESTER: '0' })).toThrow(/WARDEN_APPROVALS_MAX_PENDING_PER_REQUESTER/);
    expect(() => loadConfig({ WARDEN_APPROVALS_MAX_PENDING_PER_REQUESTER: '1e3' })).toThrow(/WARDEN_APPROVALS_MAX_PENDING_PER_REQUESTER/);
  });

  it('a burst of 30 concurrent requests from one token: exactly the limit is filed, the rest 429 with nothing written', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => t.http('POST', A, { kind: 'manual', subject: `spam-${i}`, reason: 'spam', correlation_id: `spam-${i}` }, { token: engine })),
    );
    const accepted = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status === 429);
    expect(accepted).toHaveLength(MAX);
    expect(refused).toHaveLength(30 - MAX);
    for (const r of refused) expect(r.body).toMatchObject({ error: 'too_many_pending_approvals', details: { pending: MAX, max: MAX } });
    const name = (await t.sql(`SELECT requested_by FROM approval_request WHERE id = $1`, [accepted[0].body.approval_id]))[0].requested_by;
    engineName = name;
    expect(await counts(name)).toEqual({ requests: MAX, audits: MAX, notifications: MAX });

    // A retry of an accepted request (same correlation_id) still answers it: it is not a new one.
    const i = answers.indexOf(accepted[0]);
    const retry = await t.http('POST', A, { kind: 'manual', subject: `spam-${i}`, reason: 'spam', correlation_id: `spam-${i}` }, { token: engine });
    expect(retry).toMatchObject({ status: 202, body: { approval_id: accepted[0].body.approval_id } });
    // The original vocabulary's route is held by the same limit.
    expect((await t.http('POST', '/api/governance/approval/request', { run_id: 'r', phase_id: 'p', reason: 'spam' }, { token: engine })).status).toBe(429);
    expect(await counts(name)).toEqual({ requests: MAX, audits: MAX, notifications: MAX });

    // Another requester is not held by this one's requests.
    const other = await t.token('engine');
    expect((await t.http('POST', A, { kind: 'manual', subject: 'other', reason: 'mine' }, { token: other })).status).toBe(202);
  });

  it('a request that leaves pending (cancelled, decided, expired) frees its place', async () => {
    const [{ id }] = await t.sql(`SELECT id FROM approval_request WHERE requested_by = $1 AND status = 'pending' ORDER BY seq LIMIT 1`, [engineName]);
    expect((await t.http('POST', `${A}/${id}/cancel`, { reason: 'done' }, { token: engine })).status).toBe(200);
    expect((await t.http('POST', A, { kind: 'manual', subject: 'after-cancel', reason: 'r' }, { token: engine })).status).toBe(202);
    expect((await t.http('POST', A, { kind: 'manual', subject: 'over-again', reason: 'r' }, { token: engine })).status).toBe(429);

    // Past expires_at a request reads expired: it no longer counts, though no sweep has run.
    t.clock.advance(2 * 3600_000);
    expect((await t.http('POST', A, { kind: 'manual', subject: 'after-expiry', reason: 'r' }, { token: engine })).status).toBe(202);
  });
});
