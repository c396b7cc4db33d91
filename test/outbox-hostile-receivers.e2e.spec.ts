import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { destinationKey, freePort, verifyWebhookSignature } from '#platform';
import { until, WebhookReceiver } from './support/receiver.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const A = '/api/governance/approvals';
const O = '/api/governance/outbox';
const SECRET = 'hostile-receivers-secret';
const MAX_ATTEMPTS = 4;

/** A server that counts every request it gets, whatever the method: the target of a redirect. */
async function countingServer(): Promise<{ server: Server; url: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal`, hits };
}

/**
 * The webhook attacks of issue 17 (E), against the real app over HTTP and real receivers on
 * 127.0.0.1: a receiver that redirects the signed POST elsewhere, one that answers an endless body,
 * a dead URL beside live ones, and the dead letters they leave.
 */
describe('webhooks that cannot be turned around', () => {
  const good = new WebhookReceiver();
  const flaky = new WebhookReceiver();
  const redirecting = new WebhookReceiver();
  const streaming = new WebhookReceiver();
  let target: Awaited<ReturnType<typeof countingServer>>;
  let deadUrl: string;
  let t: TestApp;
  let engine: string;
  let op: string;
  const stream = { sent: 0, closed: false };

  const deliveries = (url: string, subject: string) =>
    t.sql<{ id: string; topic: string; attempts: number; delivered: boolean; dead: boolean; last_error: string | null }>(
      `SELECT d.id, o.topic, d.attempts, d.delivered_at IS NOT NULL AS delivered, d.dead_at IS NOT NULL AS dead, d.last_error
         FROM notification_delivery d JOIN notification_outbox o ON o.id = d.outbox_id
        WHERE d.destination = $1 AND o.subject = $2 ORDER BY o.id`,
      [destinationKey(url), subject],
    );

  /** Files a manual request and decides it: two notifications (requested, decided) on one subject. */
  async function twoNotifications(name: string): Promise<string> {
    const created = (await t.http('POST', A, { kind: 'manual', subject: name, reason: 'hostile receivers' }, { token: engine })).body;
    expect((await t.http('POST', `${A}/${created.approval_id}/approve`, { reason: 'ok' }, { token: op })).status).toBe(200);
    return `approval:${created.approval_id}`;
  }

  beforeAll(async () => {
    target = await countingServer();
    await Promise.all([good.start(), flaky.start(), redirecting.start(), streaming.start()]);
    flaky.failWith = 503;
    redirecting.answer = (res) => res.writeHead(302, { location: target.url }).end();
    streaming.answer = (res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      res.on('close', () => (stream.closed = true));
      const pump = (): void => {
        while (!res.destroyed) {
          stream.sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
    };
    deadUrl = `http://127.0.0.1:${await freePort()}/nobody-listens`;
    t = await startTestApp({
      env: {
        WARDEN_WEBHOOK_URLS: [good.url, flaky.url, redirecting.url, streaming.url, deadUrl].join(','),
        WARDEN_WEBHOOK_SECRET: SECRET,
        WARDEN_WEBHOOK_DEAD_AFTER_ATTEMPTS: String(MAX_ATTEMPTS),
      },
    });
    [engine, op] = await Promise.all([t.token('engine'), t.token('operator')]);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([good.stop(), flaky.stop(), redirecting.stop(), streaming.stop()]);
    await new Promise<void>((resolve) => target?.server.close(() => resolve()));
  });

  it('a 302 is a failed delivery: the redirect target never gets the signed body, nor any request', async () => {
    const subject = await twoNotifications('redirect');
    await until(async () => (await deliveries(redirecting.url, subject))[0]?.dead === true);
    const [requested, decided] = await deliveries(redirecting.url, subject);
    expect(requested).toMatchObject({ delivered: false, dead: true, attempts: MAX_ATTEMPTS, last_error: expect.stringContaining('HTTP 302 (redirects are not followed)') });
    expect(redirecting.received.filter((r) => r.json.subject === subject).length).toBeGreaterThanOrEqual(MAX_ATTEMPTS);
    expect(decided.delivered).toBe(false);
    expect(target.hits).toEqual([]);
  });

  it('an endless response body is dropped after a few KiB: the delivery completes at once, the socket is closed', async () => {
    const subject = await twoNotifications('endless');
    await until(async () => (await deliveries(streaming.url, subject)).every((d) => d.delivered));
    // Delivered on the first attempt each (a read to the 5 s timeout would have been a failure).
    expect((await deliveries(streaming.url, subject)).map((d) => d.attempts)).toEqual([1, 1]);
    await until(() => stream.closed);
    // The receiver could push only what fits in the socket buffers before Warden hung up (reading
    // on for 5 s over loopback would be gigabytes).
    expect(stream.sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('a dead URL neither duplicates nor delays the others; order per subject holds per destination', async () => {
    const subjects = await Promise.all(['per-dest-1', 'per-dest-2', 'per-dest-3'].map((n) => twoNotifications(n)));
    const mine = () => good.received.filter((r) => subjects.includes(r.json.subject));
    await good.waitFor(() => mine().length >= 6);
    // At that moment the dead URL still holds each subject's first notification (pending or dead),
    // and the second one was never tried there before the first left the queue.
    for (const s of subjects) {
      const [first, second] = await deliveries(deadUrl, s);
      expect(first.delivered).toBe(false);
      if (!first.dead) expect(second.attempts).toBe(0);
    }
    // The flaky receiver was down all along; once back, it gets each subject in order too.
    flaky.failWith = null;
    const fromFlaky = () => flaky.received.filter((r) => subjects.includes(r.json.subject));
    await flaky.waitFor(() => fromFlaky().length >= 6);
    // Let the dead URL run out of attempts on every notification: the others are not sent again.
    await until(async () => (await Promise.all(subjects.map((s) => deliveries(deadUrl, s)))).flat().every((d) => d.dead));
    for (const got of [mine(), fromFlaky()]) {
      expect(new Set(got.map((r) => r.json.id)).size).toBe(got.length);
      expect(got).toHaveLength(6);
      for (const s of subjects) expect(got.filter((r) => r.json.subject === s).map((r) => r.json.topic)).toEqual(['approval.requested', 'approval.decided']);
    }
    for (const s of subjects) {
      expect((await deliveries(good.url, s)).map((d) => [d.delivered, d.attempts])).toEqual([[true, 1], [true, 1]]);
      expect((await deliveries(deadUrl, s)).map((d) => [d.dead, d.attempts])).toEqual([[true, MAX_ATTEMPTS], [true, MAX_ATTEMPTS]]);
    }
  });

  it('a delivery whose first attempt is older than WARDEN_WEBHOOK_DEAD_AFTER_SECONDS is dead-lettered before its attempts run out', async () => {
    const subject = await twoNotifications('old-delivery');
    let aged: { attempts: number }[] = [];
    await until(async () => {
      const [d] = await deliveries(deadUrl, subject);
      if (!d || d.attempts !== 1) return false;
      aged = await t.sql(`UPDATE notification_delivery SET first_attempt_at = now() - interval '2 days' WHERE id = $1 AND attempts = 1 AND dead_at IS NULL RETURNING attempts`, [d.id]);
      return aged.length === 1;
    });
    await until(async () => (await deliveries(deadUrl, subject))[0].dead);
    expect((await deliveries(deadUrl, subject))[0].attempts).toBeLessThan(MAX_ATTEMPTS);
  });

  it('dead letters show in /metrics and in GET /outbox?status=dead (operator, cursor paging)', async () => {
    const metrics = (await t.http('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/warden_outbox_dead_lettered_total [1-9]/);
    expect(metrics).toMatch(/warden_outbox_dead [1-9]/);

    const expected = (await t.sql<{ id: string }>(`SELECT id FROM notification_delivery WHERE dead_at IS NOT NULL ORDER BY id DESC`)).map((r) => r.id);
    expect(expected.length).toBeGreaterThan(2);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.http('GET', `${O}?status=dead&limit=2${cursor ? `&before=${cursor}` : ''}`, undefined, { token: op });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const item of page.body.items) {
        expect(item).toMatchObject({ status: 'dead', dead_at: expect.any(String), delivered_at: null, last_error: expect.any(String) });
        expect(JSON.stringify(item)).not.toContain(SECRET);
      }
      seen.push(...page.body.items.map((i: { id: string }) => i.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(expected);

    const dead = (await t.http('GET', `${O}?status=dead&limit=500`, undefined, { token: op })).body.items;
    expect(dead.filter((d: { url: string }) => d.url === redirecting.url)).toEqual(
      expect.arrayContaining([expect.objectContaining({ topic: 'approval.requested', attempts: MAX_ATTEMPTS, destination: destinationKey(redirecting.url), last_error: expect.stringContaining('HTTP 302') })]),
    );
    expect((await t.http('GET', `${O}?status=delivered&limit=1`, undefined, { token: op })).body.items[0].status).toBe('delivered');
    for (const role of ['viewer', 'engine'] as const) expect((await t.http('GET', `${O}?status=dead`, undefined, { token: await t.token(role) })).status).toBe(403);
    expect((await t.http('GET', `${O}?status=lost`, undefined, { token: op })).status).toBe(400);
  });

  it('an operator replays a dead letter, audited; it is delivered; a non-operator, a live or an unknown delivery are refused', async () => {
    const [row] = await t.sql<{ id: string; subject: string }>(
      `SELECT d.id, o.subject FROM notification_delivery d JOIN notification_outbox o ON o.id = d.outbox_id
        WHERE d.destination = $1 AND d.dead_at IS NOT NULL AND o.topic = 'approval.requested' ORDER BY d.id LIMIT 1`,
      [destinationKey(redirecting.url)],
    );
    const viewer = await t.token('viewer');
    expect((await t.http('POST', `${O}/${row.id}/replay`, { reason: 'no' }, { token: viewer })).status).toBe(403);
    expect((await t.sql(`SELECT dead_at IS NOT NULL AS dead FROM notification_delivery WHERE id = $1`, [row.id]))[0].dead).toBe(true);

    redirecting.answer = null; // the receiver was fixed
    const before = redirecting.received.length;
    const replay = await t.http('POST', `${O}/${row.id}/replay`, { reason: 'receiver fixed' }, { token: op });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ id: row.id, status: 'pending', attempts: 0, dead_at: null });
    const [audit] = await t.sql(`SELECT principal, reason, details FROM audit_log WHERE action = 'outbox.replay' AND subject = $1`, [`outbox_delivery:${row.id}`]);
    expect(audit).toMatchObject({ principal: expect.stringMatching(/^operator-/), reason: 'receiver fixed', details: { topic: 'approval.requested', attempts: MAX_ATTEMPTS } });

    // The replayed head goes first; the decided notification behind it follows, in order.
    await until(async () => (await deliveries(redirecting.url, row.subject)).every((d) => d.delivered || d.dead));
    const again = redirecting.received.slice(before).filter((r) => r.json.subject === row.subject).map((r) => r.json.topic);
    expect(again[0]).toBe('approval.requested');
    expect((await deliveries(redirecting.url, row.subject))[0].delivered).toBe(true);
    expect(target.hits).toEqual([]);

    expect((await t.http('POST', `${O}/${row.id}/replay`, {}, { token: op })).body.error).toBe('outbox_delivery_not_dead');
    expect((await t.http('POST', `${O}/999999999/replay`, {}, { token: op })).body.error).toBe('outbox_delivery_not_found');
    expect((await t.http('POST', `${O}/abc/replay`, {}, { token: op })).status).toBe(400);
    expect(await t.sql(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'outbox.replay'`)).toEqual([{ n: 1 }]);
  });

  it('signs "<timestamp>.<body>" with X-Warden-Timestamp; the docs snippet verifies it and refuses it outside its window', async () => {
    const sample = good.received[good.received.length - 1];
    const headers = { signature: sample.headers['x-warden-signature'] as string, timestamp: sample.headers['x-warden-timestamp'] as string };
    expect(headers.timestamp).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(headers.timestamp) - sample.at / 1000)).toBeLessThan(60);
    expect(verifyWebhookSignature(SECRET, sample.raw, headers)).toBe(true);
    // A captured request replayed ten minutes later is refused.
    expect(verifyWebhookSignature(SECRET, sample.raw, headers, { nowSeconds: Number(headers.timestamp) + 600 })).toBe(false);

    // The receiver's snippet in docs/approvals.md, run as a receiver would run it (its own node process).
    const doc = readFileSync('docs/approvals.md', 'utf8');
    const snippet = /<!-- receiver-snippet -->\s*```js\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(snippet).toBeDefined();
    const run = async (nowSeconds: number) => {
      const probe = `${snippet}\nconst h = ${JSON.stringify({ 'x-warden-signature': headers.signature, 'x-warden-timestamp': headers.timestamp })};\nDate.now = () => ${nowSeconds * 1000};\nprocess.stdout.write(String(verifyWarden(${JSON.stringify(sample.raw)}, h, ${JSON.stringify(SECRET)})));`;
      const { NODE_OPTIONS: _jest, ...env } = process.env;
      return (await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe], { env })).stdout;
    };
    expect(await run(Number(headers.timestamp) + 5)).toBe('true');
    expect(await run(Number(headers.timestamp) + 600)).toBe('false');
    const tampered = `${snippet}\nprocess.stdout.write(String(verifyWarden(${JSON.stringify(sample.raw.replace('approval', 'appr0val'))}, ${JSON.stringify({ 'x-warden-signature': headers.signature, 'x-warden-timestamp': headers.timestamp })}, ${JSON.stringify(SECRET)})));`;
    const { NODE_OPTIONS: _jest, ...env } = process.env;
    expect((await promisify(execFile)(process.execPath, ['--input-type=module', '-e', tampered], { env })).stdout).toBe('false');
  });
});

describe('a restart with other URLs', () => {
  const kept = new WebhookReceiver();
  const dropped = new WebhookReceiver();
  let t: TestApp | undefined;
  afterAll(async () => {
    await t?.close();
    await Promise.all([kept.stop(), dropped.stop()]);
  });

  it('dead-letters what waits for a removed URL (not replayable while it is gone) and delivers rows written before per-destination delivery', async () => {
    await Promise.all([kept.start(), dropped.start()]);
    dropped.failWith = 503;
    t = await startTestApp({ env: { WARDEN_WEBHOOK_URLS: `${kept.url},${dropped.url}` } });
    const engine = await t.token('engine');
    const created = (await t.http('POST', A, { kind: 'manual', subject: 'restart', reason: 'r' }, { token: engine })).body;
    const subject = `approval:${created.approval_id}`;
    await kept.waitFor((r) => r.some((x) => x.json.subject === subject));
    // A notification as the old dispatcher left it: undelivered, no per-destination rows.
    const [legacy] = await t.sql(`INSERT INTO notification_outbox (topic, subject, body, text) VALUES ('legacy.topic', 'legacy', '{}', 'written before') RETURNING id`);
    const databaseUrl = t.databaseUrl;
    await t.close();
    t = undefined;

    t = await startTestApp({ databaseUrl, env: { WARDEN_WEBHOOK_URLS: kept.url } });
    const [orphan] = await t.sql(`SELECT id, dead_at IS NOT NULL AS dead, last_error FROM notification_delivery WHERE destination = $1 AND subject = $2`, [destinationKey(dropped.url), subject]);
    expect(orphan).toMatchObject({ dead: true, last_error: expect.stringContaining('no longer configured') });
    const listed = (await t.http('GET', `${O}?status=dead`)).body.items.filter((d: { subject: string }) => d.subject === subject);
    expect(listed).toEqual([expect.objectContaining({ id: orphan.id, url: null, status: 'dead' })]);
    const replay = await t.http('POST', `${O}/${orphan.id}/replay`, {});
    expect(replay).toMatchObject({ status: 409, body: { error: 'outbox_destination_not_configured' } });
    expect((await t.sql(`SELECT dead_at IS NOT NULL AS dead FROM notification_delivery WHERE id = $1`, [orphan.id]))[0].dead).toBe(true);

    await kept.waitFor((r) => r.some((x) => x.json.id === Number(legacy.id)));
    await until(async () => (await t!.sql(`SELECT delivered_at FROM notification_outbox WHERE id = $1`, [legacy.id]))[0].delivered_at !== null);
    expect(kept.received.filter((x) => x.json.id === Number(legacy.id))).toHaveLength(1);
  });
});
