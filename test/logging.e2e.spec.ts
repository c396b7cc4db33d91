import { Logger } from '@nestjs/common';
import { Writable } from 'node:stream';
import { createPino, every, JobRunner } from '#platform';
import { startTestApp, type TestApp } from './support/test-app.js';

// Logging through one pino instance: the request id on every line a request causes (Fastify's own
// lines and those services write through Nest's Logger), a job run's id on every line the run
// causes, no route-mapping lines at start, secrets redacted.

const lines: Array<Record<string, any>> = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, cb) {
    for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
    cb();
  },
});

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { LOG_LEVEL: 'info' }, logDestination: sink });
});
afterAll(() => t?.close());

describe('request-scoped logging', () => {
  it('puts the request id on every line a request causes, including a service logging through Nest Logger', async () => {
    const operator = await t.token('operator');
    const before = lines.length;
    // A POST with a body: the service's line is written after Fastify has read the body.
    const res = await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'logging check' }, { token: operator });
    expect(res.status).toBe(200);
    await t.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'logging check done' }, { token: operator });
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    const mine = lines.slice(before).filter((l) => l.reqId === requestId);
    const messages = mine.map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
    // The go-live service's own line, written through `new Logger('go-live')`, carries the id.
    expect(mine).toEqual(expect.arrayContaining([expect.objectContaining({ context: 'go-live', msg: expect.stringMatching(/engage/) })]));
    // ...and no line of that service for this request went out without it.
    const serviceLines = lines.slice(before).filter((l) => l.context === 'go-live' && l.reason === 'logging check');
    expect(serviceLines.length).toBeGreaterThan(0);
    expect(serviceLines.every((l) => l.reqId === requestId)).toBe(true);
  });

  it('two concurrent requests each keep their own id', async () => {
    const operator = await t.token('operator');
    const before = lines.length;
    const [a, b] = await Promise.all([
      t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'concurrent a' }, { token: operator }),
      t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'concurrent b' }, { token: operator }),
    ]);
    await t.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'concurrent done' }, { token: operator });
    const lineOf = (reason: string) => lines.slice(before).find((l) => l.context === 'go-live' && l.reason === reason);
    expect(lineOf('concurrent a')?.reqId).toBe(a.headers.get('x-request-id'));
    expect(lineOf('concurrent b')?.reqId).toBe(b.headers.get('x-request-id'));
  });

  it('gives each job run its own id on every line it logs', async () => {
    const runner = t.app.get(JobRunner);
    const logger = new Logger('logging-probe');
    const before = lines.length;
    await runner.runJob({
      name: 'logging-probe',
      schedule: every(5),
      async run() {
        logger.log('first line of the run');
        await new Promise((r) => setImmediate(r));
        logger.log('second line of the run');
      },
    });
    const run = lines.slice(before).filter((l) => l.job === 'logging-probe');
    expect(run.map((l) => l.msg)).toEqual(expect.arrayContaining(['first line of the run', 'second line of the run', expect.stringMatching(/job logging-probe ran/)]));
    const ids = new Set(run.map((l) => l.job_run));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs no route-mapping lines at start', () => {
    expect(lines.filter((l) => l.context === 'RoutesResolver' || l.context === 'RouterExplorer')).toEqual([]);
    expect(lines.some((l) => /Mapped \{/.test(String(l.msg)))).toBe(false);
  });
});

describe('redaction', () => {
  it('never writes credentials: authorization and cookie headers, tokens, passwords', () => {
    const out: string[] = [];
    const capture = new Writable({ write: (c: Buffer, _e, cb) => (out.push(c.toString()), cb()) });
    const log = createPino('info', capture);
    log.info({ req: { headers: { authorization: 'Bearer s3cr3t-header', cookie: 'warden_session=s3cr3t-cookie' } } }, 'request');
    log.info({ token: 's3cr3t-token', body: { password: 's3cr3t-password', token: 's3cr3t-nested' } }, 'fields');
    const text = out.join('');
    expect(text).not.toMatch(/s3cr3t/);
    expect(text).toMatch(/\[redacted\]/);
  });

  it('keeps the error serializer that drops query parameters', () => {
    const out: string[] = [];
    const capture = new Writable({ write: (c: Buffer, _e, cb) => (out.push(c.toString()), cb()) });
    const err = Object.assign(new Error('query failed'), { parameters: ['s3cr3t-param'], detail: 'Key (x)=(s3cr3t-detail)' });
    createPino('info', capture).error({ err }, 'failed');
    expect(out.join('')).not.toMatch(/s3cr3t/);
  });
});
