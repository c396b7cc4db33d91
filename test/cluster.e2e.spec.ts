import { request } from 'node:http';
import { freePort } from '#platform';
import { buildDist } from './support/build.js';
import { READY_TIMEOUT_MS, useChildProcesses, waitFor, waitForHttp } from './support/spawn.js';
import { ADMIN_TOKEN, createTestDatabase } from './support/test-app.js';

/** One request on a connection of its own, so that Node's cluster hands successive requests to different workers. */
function call(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url + path, { method, agent: false, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(text ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => (data += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : null }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

/** WARDEN_WORKERS: the built server (dist/apps/api/src/main.js) as a cluster of workers on one port. */
describe('WARDEN_WORKERS', () => {
  const spawnServer = useChildProcesses();
  beforeAll(() => buildDist(), 240_000);

  const env = () => {
    const { NODE_OPTIONS: _jestOptions, ...rest } = process.env;
    return rest;
  };

  it('two workers serve one port; a kill switch engaged through one is obeyed by every request after it; SIGTERM stops them all with 0', async () => {
    const port = await freePort();
    const child = spawnServer(process.execPath, ['dist/apps/api/src/main.js'], {
      cwd: process.cwd(),
      env: { ...env(), DATABASE_URL: await createTestDatabase('cluster'), PORT: String(port), HOST: '127.0.0.1', WARDEN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'error', JOBS_ENABLED: '0', WARDEN_WORKERS: '2' },
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/health`, { child, timeoutMs: READY_TIMEOUT_MS });
    await waitFor('both workers', () => child.stdout().includes('Warden: 2 workers listening'), { timeoutMs: READY_TIMEOUT_MS, child });
    expect(child.stdout().match(/Warden worker \d+ listening/g)).toHaveLength(2);

    // A PROD_EXEC request that changes nothing when admitted (400), refused by the go-live hook (403) when the switch is on.
    const probe = () => call(url, 'POST', '/api/deals', { counterparty: '', amount: 'not-an-amount' });
    for (let i = 0; i < 6; i++) expect((await probe()).status).toBe(400);
    const engaged = await call(url, 'POST', '/api/governance/go-live/kill-switch/engage', { reason: 'cluster test' });
    expect(engaged.status).toBeLessThan(300);
    // The other worker learns it by NOTIFY, as another instance would; past GO_LIVE_CACHE_BOUND_MS (2 s) it
    // would re-read the row at the latest. From then on every request, whichever worker takes it, is refused.
    await new Promise((r) => setTimeout(r, 2_100));
    for (let i = 0; i < 10; i++) expect(await probe()).toMatchObject({ status: 403, body: { error: 'kill_switch_engaged' } });
    expect((await call(url, 'POST', '/api/governance/go-live/kill-switch/release', { reason: 'cluster test' })).status).toBeLessThan(300);

    child.signal('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
  }, 300_000);

  it('refuses a WARDEN_WORKERS that is not a count, before starting anything (exit 2)', async () => {
    const child = spawnServer(process.execPath, ['dist/apps/api/src/main.js'], { cwd: process.cwd(), env: { ...env(), WARDEN_WORKERS: 'many', DATABASE_URL: 'postgres://unused@127.0.0.1:1/x' } });
    expect(await child.exited).toEqual({ code: 2, signal: null });
    expect(child.output()).toContain('WARDEN_WORKERS must be an integer from 1 to 99');
  }, 120_000);
});
