import { type ChildProcess, spawn } from 'node:child_process';
import pg from 'pg';
import { freePort } from '#platform';
import { buildDist } from './support/build.js';
import { until, WebhookReceiver } from './support/receiver.js';
import { ADMIN_TOKEN, createTestDatabase } from './support/test-app.js';

interface Server {
  proc: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** The real production entry point (dist/apps/api/src/main.js) as its own process. */
async function startServer(databaseUrl: string, webhook: string): Promise<Server> {
  const port = await freePort();
  const { NODE_OPTIONS: _jestOptions, ...env } = process.env;
  const proc = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    cwd: process.cwd(),
    env: { ...env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', WARDEN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'error', JOB_TICK_MS: '3600000', WARDEN_WEBHOOK_URLS: webhook },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`server exited during start: ${output}`);
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) return { proc, url, exited };
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function kill(server: Server | undefined, signal: NodeJS.Signals): Promise<void> {
  if (server && server.proc.exitCode === null && server.proc.signalCode === null) {
    server.proc.kill(signal);
    await server.exited;
  }
}

/** SIGKILL between the commit of an approval and the delivery of its notification: nothing is lost. */
describe('the notification outbox survives a SIGKILL of the server', () => {
  const receiver = new WebhookReceiver();
  let db: pg.Pool;
  let first: Server | undefined;
  let second: Server | undefined;

  beforeAll(() => buildDist(), 240_000);
  afterAll(async () => {
    await kill(first, 'SIGKILL');
    await kill(second, 'SIGTERM');
    await receiver.stop();
    await db?.end();
  });

  it('a notification committed before the crash is delivered after the restart', async () => {
    const databaseUrl = await createTestDatabase('outboxcrash');
    db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    receiver.port = await freePort(); // the receiver is down at first
    first = await startServer(databaseUrl, receiver.url);
    const res = await fetch(`${first.url}/api/governance/approvals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'manual', subject: 'crash', reason: 'before the crash' }),
    });
    expect(res.status).toBe(202);
    const { approval_id } = (await res.json()) as { approval_id: string };
    await kill(first, 'SIGKILL');
    const rows = await db.query(`SELECT topic, delivered_at FROM notification_outbox WHERE subject = $1`, [`approval:${approval_id}`]);
    expect(rows.rows).toEqual([{ topic: 'approval.requested', delivered_at: null }]);

    await receiver.start();
    second = await startServer(databaseUrl, receiver.url);
    const got = await receiver.waitFor((r) => r.some((x) => x.json.body.approval_id === approval_id));
    expect(got.filter((x) => x.json.body.approval_id === approval_id).map((x) => x.json.topic)).toEqual(['approval.requested']);
    await until(async () => (await db.query(`SELECT delivered_at FROM notification_outbox WHERE subject = $1`, [`approval:${approval_id}`])).rows[0].delivered_at !== null);
  });
});
