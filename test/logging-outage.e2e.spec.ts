import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { JobRunner, startEmbeddedPostgres, type EmbeddedServer, every } from '#platform';
import { freezePostgres } from '../bench/pg-freeze.js';
import { PRODUCTION_DB_TIMEOUTS, startTestApp, type TestApp } from './support/test-app.js';

// docs/failure-modes.md: a database outage is logged as a warning, not an error (an outage is not a
// bug). The attack was plain: stop PostgreSQL under the app and send the usual traffic; lines at
// error level came out. This file owns its PostgreSQL so it can stop it.

const lines: Array<Record<string, any>> = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, cb) {
    for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
    cb();
  },
});

describe('a database outage is logged as a warning, never at error level', () => {
  let root: string;
  let server: EmbeddedServer;
  let t: TestApp;
  let engine: string;
  let operator: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'warden-outage-log-'));
    await chmod(root, 0o755);
    server = await startEmbeddedPostgres(join(root, 'pgdata'));
    t = await startTestApp({ databaseUrl: server.url, env: { ...PRODUCTION_DB_TIMEOUTS, LOG_LEVEL: 'info', GO_LIVE_CACHE_BOUND_MS: '500' }, logDestination: sink });
    [engine, operator] = await Promise.all([t.token('engine'), t.token('operator')]);
  });
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  it('requests against a hung database (statement and pool timeouts deep in the services) log warnings only', async () => {
    const warm = await t.http('POST', '/api/governance/risk/check-and-reserve', { engine: 'WHOLESALE', amount: '1', correlation_id: 'warm-1' }, { token: engine });
    expect(warm.status).toBe(201);
    const before = lines.length;
    const { resume } = await freezePostgres(server.dataDir);
    let statuses: number[];
    try {
      statuses = (
        await Promise.all([
          ...Array.from({ length: 6 }, (_, i) =>
            t.http('POST', '/api/governance/risk/check-and-reserve', { engine: 'WHOLESALE', amount: '1', correlation_id: `hung-${i}` }, { token: engine }),
          ),
          t.http('POST', '/api/deals', { counterparty: 'frozen', amount: '1' }, { token: engine }),
          t.http('POST', '/api/governance/heimdall/recommend', { domain: 'WHOLESALE_OFFER', confidence: 0.99 }, { token: engine }),
        ])
      ).map((r) => r.status);
    } finally {
      await resume();
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(statuses.every((s) => s === 503)).toBe(true);
    const during = lines.slice(before);
    expect(during.filter((l) => l.level >= 50).map((l) => `${l.context ?? ''}: ${l.msg}`)).toEqual([]);
    expect(during.some((l) => l.level === 40 && /unavailable|failing closed|unreachable|timeout/.test(String(l.msg)))).toBe(true);
    // The database is back: the next reserve works.
    let again = 0;
    for (let i = 0; i < 20 && again !== 201; i += 1) {
      again = (await t.http('POST', '/api/governance/risk/check-and-reserve', { engine: 'WHOLESALE', amount: '1', correlation_id: `after-${i}` }, { token: engine })).status;
      if (again !== 201) await new Promise((r) => setTimeout(r, 200));
    }
    expect(again).toBe(201);
  }, 60_000);

  it('requests, token lookups and a job against a stopped database log warnings only', async () => {
    expect((await t.http('POST', '/api/deals', { counterparty: 'acme', amount: '1' }, { token: engine })).status).toBe(201);
    await server.stop();
    const before = lines.length;
    const statuses: number[] = [];
    await new Promise((r) => setTimeout(r, 600));
    for (let i = 0; i < 3; i += 1) {
      statuses.push((await t.http('POST', '/api/deals', { counterparty: 'acme', amount: '1' }, { token: engine })).status);
      statuses.push((await t.http('POST', '/api/governance/risk/check-and-reserve', { engine: 'WHOLESALE', amount: '1', correlation_id: `log-${i}` }, { token: engine })).status);
      statuses.push((await t.http('POST', '/api/governance/heimdall/recommend', { domain: 'WHOLESALE_OFFER', confidence: 0.99 }, { token: engine })).status);
      statuses.push((await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'outage' }, { token: operator })).status);
      statuses.push((await t.http('GET', '/api/deals', undefined, { token: `wdn_unknown_${i}` })).status);
      statuses.push((await t.http('GET', '/health', undefined, { token: null })).status);
    }
    await t.app.get(JobRunner).runJob({ name: 'outage-probe', schedule: every(5), run: async () => undefined }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(statuses.every((s) => s === 503)).toBe(true);

    const during = lines.slice(before);
    const errors = during.filter((l) => l.level >= 50);
    expect(errors.map((l) => `${l.context ?? ''}: ${l.msg}`)).toEqual([]);
    // ...and the outage is not silent: it is there, as warnings.
    expect(during.some((l) => l.level === 40 && /database unavailable|failing closed|unreachable/.test(String(l.msg)))).toBe(true);
  });
});
