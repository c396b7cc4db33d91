import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WardenClient } from './client.js';
import { GovernanceUnavailableError, RiskDeniedError } from './errors.js';
import { backoff, Transport } from './http.js';

/** A real HTTP server whose answers the test scripts, recording every request it received. */
async function scripted(answers: Array<(req: IncomingMessage, res: ServerResponse) => void>): Promise<{ url: string; seen: Array<{ path: string; body: any; auth?: string }>; server: Server }> {
  const seen: Array<{ path: string; body: any; auth?: string }> = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      seen.push({ path: req.url!, body: text ? JSON.parse(text) : undefined, auth: req.headers.authorization });
      (answers[seen.length - 1] ?? answers[answers.length - 1])(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const json = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const drop = (req: IncomingMessage) => req.socket.destroy();
const FAST = { initialDelayMs: 5, maxDelayMs: 20 };

describe('the transport: bounded retry with the same idempotency key', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  it('reserve retries a 503 and a dropped connection with the same correlation_id, then returns the answer', async () => {
    const reservation = { dry_run: false, replayed: true, reservation_id: 'r1', correlation_id: 'x' };
    const s = await scripted([json(503, { statusCode: 503, error: 'governance_unavailable', message: 'db' }), drop, json(201, reservation)]);
    servers.push(s.server);
    const client = new WardenClient({ baseUrl: s.url, token: 'tkn', retry: FAST });
    const got = await client.reserve({ engine: 'WHOLESALE', amount: '12.50' });
    expect(got).toEqual(reservation);
    expect(s.seen).toHaveLength(3);
    const keys = new Set(s.seen.map((r) => r.body.correlation_id));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.seen.every((r) => r.auth === 'Bearer tkn' && r.body.amount === '12.50' && r.path === '/api/governance/risk/check-and-reserve')).toBe(true);
  });

  it('gives up after maxAttempts with GovernanceUnavailableError (fail closed)', async () => {
    const s = await scripted([json(503, { statusCode: 503, error: 'governance_unavailable', message: 'db' })]);
    servers.push(s.server);
    const client = new WardenClient({ baseUrl: s.url, token: 't', retry: { ...FAST, maxAttempts: 3 } });
    const err = await client.settle({ reservationId: 'r1', realizedLoss: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(GovernanceUnavailableError);
    expect(err.code).toBe('governance_unavailable');
    expect(s.seen).toHaveLength(3);
    expect(s.seen[0].body).toEqual({ reservation_id: 'r1', realized_loss: '0' });
  });

  it('does not retry a refusal: 403 risk_denied is a typed error with every reason code', async () => {
    const s = await scripted([json(403, { statusCode: 403, error: 'risk_denied', message: 'no', reason_codes: ['global_exposure_cap', 'engine_open_risk_cap'] })]);
    servers.push(s.server);
    const err = await new WardenClient({ baseUrl: s.url, token: 't', retry: FAST }).reserve({ engine: 'E', amount: 1, correlationId: 'k-1' }).catch((e) => e);
    expect(err).toBeInstanceOf(RiskDeniedError);
    expect(err.reasonCodes).toEqual(['global_exposure_cap', 'engine_open_risk_cap']);
    expect(s.seen).toHaveLength(1);
  });

  it('a call without a key ("unsent") is not re-sent after a dropped connection, only after a 503', async () => {
    const s = await scripted([drop]);
    servers.push(s.server);
    const t = new Transport({ baseUrl: s.url, token: 't', retry: FAST });
    await expect(t.call('POST', '/x', { body: {}, retry: 'unsent' })).rejects.toMatchObject({ code: 'network_error' });
    expect(s.seen).toHaveLength(1);
    const again = await scripted([json(503, { error: 'governance_unavailable' }), json(200, { ok: true })]);
    servers.push(again.server);
    expect((await new Transport({ baseUrl: again.url, token: 't', retry: FAST }).call('POST', '/x', { body: {}, retry: 'unsent' })).body).toEqual({ ok: true });
    expect(again.seen).toHaveLength(2);
  });

  it('retries a refused connection (nothing listening) until the bound, then fails closed', async () => {
    const s = await scripted([json(200, {})]);
    const url = s.url;
    await new Promise((r) => s.server.close(r));
    const started = Date.now();
    const err = await new Transport({ baseUrl: url, token: 't', retry: { initialDelayMs: 10, maxDelayMs: 40, maxAttempts: 4 } }).call('GET', '/x', { retry: 'unsent' }).catch((e) => e);
    expect(err).toBeInstanceOf(GovernanceUnavailableError);
    expect(err.details.cause).toBe('ECONNREFUSED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(15); // it did wait between attempts
  });

  it('backs off exponentially within [ceiling/2, ceiling], capped', () => {
    const r = { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 1e9 };
    expect([2, 3, 4, 5, 6].map((n) => backoff(n, r, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect([2, 3, 4, 5, 6].map((n) => backoff(n, r, () => 0))).toEqual([50, 100, 200, 400, 500]);
  });
});
