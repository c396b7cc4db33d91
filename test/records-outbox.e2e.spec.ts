import { destinationKey } from '#platform';
import { until, WebhookReceiver } from './support/receiver.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The outbox as the Outbox page reads it: per destination what is pending, failing and dead, the
 * `failing` state of a delivery, and the lists narrowed to one destination. Real receivers on
 * 127.0.0.1: one answers, one keeps failing (dead-lettered after three attempts, 1 s and 2 s apart).
 */
const O = '/api/governance/outbox';
const A = '/api/governance/approvals';

describe('GET /outbox/destinations, ?status=failing, ?destination=', () => {
  const good = new WebhookReceiver();
  const bad = new WebhookReceiver();
  let t: TestApp;
  let op: string;
  let engine: string;
  let badKey: string;
  let goodKey: string;

  beforeAll(async () => {
    await Promise.all([good.start(), bad.start()]);
    bad.failWith = 503;
    t = await startTestApp({ env: { WARDEN_WEBHOOK_URLS: `${good.url},${bad.url}`, WARDEN_WEBHOOK_DEAD_AFTER_ATTEMPTS: '3' } });
    [op, engine] = await Promise.all([t.token('operator'), t.token('engine')]);
    goodKey = destinationKey(good.url);
    badKey = destinationKey(bad.url);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([good.stop(), bad.stop()]);
  });

  const get = async (path: string, token = op) => {
    const res = await t.http('GET', path, undefined, { token });
    expect([path, res.status]).toEqual([path, 200]);
    return res.body;
  };

  it('lists every configured destination, in the configured order, each with its redacted URL', async () => {
    const { destinations } = await get(`${O}/destinations`);
    expect(destinations.map((d: any) => [d.destination, d.url, d.configured])).toEqual([
      [goodKey, good.url, true],
      [badKey, bad.url, true],
    ]);
    for (const d of destinations) expect(d).toEqual({ ...d, pending: expect.any(Number), failing: expect.any(Number), dead: expect.any(Number) });
  });

  it('shows a failing delivery as failing, then dead, per destination; the good destination has delivered', async () => {
    const created = await t.http('POST', A, { kind: 'manual', subject: 'records-outbox', reason: 'notify' }, { token: engine });
    expect(created.status).toBe(202);
    const subject = `approval:${created.body.approval_id}`;
    await good.waitFor((r) => r.some((x) => x.json.subject === subject));

    // Between its failed attempts (3 s in all), the delivery is pending and failing.
    let failing: any[] = [];
    await until(async () => (failing = (await get(`${O}?status=failing&destination=${badKey}`)).items.filter((d: any) => d.subject === subject)).length > 0);
    expect(failing[0]).toMatchObject({ destination: badKey, status: 'pending', failing: true, attempts: expect.any(Number), last_error: expect.stringContaining('HTTP 503') });
    expect(failing[0].attempts).toBeLessThan(3);
    expect((await get(`${O}?status=failing&destination=${goodKey}`)).items).toEqual([]);

    const deadOf = async () => (await get(`${O}?status=dead&destination=${badKey}`)).items.filter((d: any) => d.subject === subject);
    await until(async () => (await deadOf()).length > 0);
    const [dead] = await deadOf();
    expect(dead).toMatchObject({ subject, status: 'dead', failing: false, attempts: 3, url: bad.url });
    // Narrowed to the good destination: its delivery of the same notification was made.
    const goods = (await get(`${O}?destination=${goodKey}`)).items.filter((d: any) => d.subject === subject);
    expect(goods).toEqual([expect.objectContaining({ status: 'delivered', failing: false, destination: goodKey })]);
    expect((await get(`${O}?status=dead&destination=${goodKey}`)).items).toEqual([]);

    const { destinations } = await get(`${O}/destinations`);
    const byKey = Object.fromEntries(destinations.map((d: any) => [d.destination, d]));
    const [counts] = await t.sql(
      `SELECT count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead, count(*) FILTER (WHERE dead_at IS NULL)::int AS pending,
              count(*) FILTER (WHERE dead_at IS NULL AND last_error IS NOT NULL)::int AS failing
         FROM notification_delivery WHERE destination = $1 AND delivered_at IS NULL`,
      [badKey],
    );
    expect(byKey[badKey]).toMatchObject({ ...counts, last_error: expect.stringContaining('503') });
    expect(byKey[badKey].dead).toBeGreaterThanOrEqual(1);
    expect(byKey[goodKey]).toMatchObject({ pending: 0, failing: 0, dead: 0 });
  });

  it('refuses a bad status or destination with 400, and non-operators with 403', async () => {
    for (const q of ['status=broken', 'destination=xyz', `destination=${'A'.repeat(16)}`]) {
      const res = await t.http('GET', `${O}?${q}`, undefined, { token: op });
      expect([q, res.status, res.body.error]).toEqual([q, 400, 'validation_failed']);
    }
    for (const role of ['viewer', 'engine'] as const) expect((await t.http('GET', `${O}/destinations`, undefined, { token: await t.token(role) })).status).toBe(403);
  });
});
