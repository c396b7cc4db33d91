import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '#platform';
import { buildDist } from './support/build.js';

const run = promisify(execFile);
const TOKEN = 'supervision-token-0123456789';

interface Warden {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function spawnWarden(dataDir: string, port: number): Warden {
  const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    env: { PATH: process.env.PATH, WARDEN_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info', WARDEN_BOOTSTRAP_TOKEN: TOKEN, JOBS_ENABLED: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

/** Polls until `probe` holds or the process exits; the bound only stops a broken run from hanging. */
async function until(probe: () => Promise<boolean>, warden: Warden, bound = 120000): Promise<boolean> {
  const deadline = Date.now() + bound;
  let done = false;
  warden.exited.then(() => (done = true), () => undefined);
  while (!done && Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return probe();
}

const postmasterPid = async (dataDir: string) => Number((await readFile(join(dataDir, 'pgdata', 'postmaster.pid'), 'utf8')).split('\n')[0]);

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** The real built server on its embedded PostgreSQL, as an operator runs it. */
describe('Warden supervises its embedded PostgreSQL', () => {
  let root: string;
  let dataDir: string;
  let warden: Warden | undefined;
  const others: ChildProcess[] = [];
  const postmasters = new Set<number>();

  beforeAll(async () => {
    buildDist();
    root = await mkdtemp(join(tmpdir(), 'warden-supervise-'));
    await chmod(root, 0o755);
    dataDir = join(root, 'data');
  });
  afterAll(async () => {
    for (const child of others) child.kill('SIGKILL');
    if (warden && warden.child.exitCode === null) {
      warden.child.kill('SIGTERM');
      await Promise.race([warden.exited, new Promise((r) => setTimeout(r, 20000))]);
      warden.child.kill('SIGKILL');
    }
    for (const pid of postmasters) kill(pid, 'SIGKILL');
    await postmasterPid(dataDir).then((pid) => kill(pid, 'SIGKILL'), () => undefined);
    await rm(root, { recursive: true, force: true });
  });

  it('connects as the app role, refuses a second server, lets the CLI in, and restarts a killed postmaster', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    warden = spawnWarden(dataDir, port);
    const w = warden;
    const tokensOk = () =>
      fetch(`${base}/api/governance/tokens`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.status === 200, () => false);
    expect(await until(tokensOk, w)).toBe(true);

    // The application's pool is the DML-only role; the owner's password is in the 0600 file.
    const credentials = JSON.parse(readFileSync(join(dataDir, 'pgdata', 'warden-credentials.json'), 'utf8'));
    const pgPort = Number((await readFile(join(dataDir, 'pgdata', 'postmaster.pid'), 'utf8')).split('\n')[3]);
    const owner = new pg.Client({ connectionString: `postgres://postgres:${credentials.owner.password}@127.0.0.1:${pgPort}/postgres` });
    await owner.connect();
    const users = (await owner.query(`SELECT DISTINCT usename FROM pg_stat_activity WHERE application_name IN ('warden', 'warden-listen')`)).rows;
    await owner.end();
    expect(users).toEqual([{ usename: 'warden_app' }]);

    // A second Warden on the same data directory is refused, not handed the first one's server.
    const second = spawnWarden(dataDir, await freePort());
    others.push(second.child);
    expect(await second.exited).not.toBe(0);
    expect(second.output()).toMatch(/is in use by the embedded PostgreSQL of another running Warden/);
    expect(second.output()).not.toMatch(/\n\s+at /);

    // The CLI connects to the running server (and leaves it running).
    const cli = await run(process.execPath, ['dist/apps/cli/src/main.js', 'token', 'list'], {
      env: { PATH: process.env.PATH, WARDEN_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    });
    expect(cli.stdout).toMatch(/admin/);
    expect(await tokensOk()).toBe(true);

    // The postmaster dies under the running Warden: Warden starts it again and serves again.
    const killed = await postmasterPid(dataDir);
    postmasters.add(killed);
    kill(killed, 'SIGKILL');
    expect(await until(async () => w.output().includes('embedded PostgreSQL restarted'), w)).toBe(true);
    const restarted = await postmasterPid(dataDir);
    postmasters.add(restarted);
    expect(restarted).not.toBe(killed);
    expect(await until(tokensOk, w)).toBe(true);
    expect(w.child.exitCode).toBeNull();
    expect(w.output()).toMatch(/exited unexpectedly \(SIGKILL\); restarting it/);

    // And it still shuts down cleanly, taking the restarted server with it.
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(() => process.kill(restarted, 0)).toThrow();
  }, 240000);
});

describe('when the embedded PostgreSQL cannot be restarted', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'warden-fatal-'));
    await chmod(root, 0o755);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('gives up after its attempts and reports it, so the process can exit non-zero for a supervisor', async () => {
    const dataDir = join(root, 'pgdata');
    let reportFatal: (err: Error) => void = () => undefined;
    const fatal = new Promise<Error>((r) => (reportFatal = r));
    const server = await startEmbeddedPostgres(dataDir, { onFatal: (err) => reportFatal(err) });
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    try {
      // PostgreSQL reads PG_VERSION only when it starts: without it, every restart fails.
      await rename(join(dataDir, 'PG_VERSION'), join(root, 'PG_VERSION'));
      kill(pid, 'SIGKILL');
      expect((await fatal).message).toMatch(/died and could not be restarted/);
    } finally {
      await server.stop();
      kill(pid, 'SIGKILL');
    }
  });
});
