import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-ignore -- jest loads global setup through require(), which finds the .ts source only without an extension
import { startEmbeddedPostgres } from '../../libs/platform/src/database/embedded-postgres';

/** One embedded PostgreSQL for the whole run; each test file creates its own database in it. */
export default async function globalSetup(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'warden-test-'));
  await chmod(root, 0o755); // initdb runs as the postgres user
  const server = await startEmbeddedPostgres(join(root, 'pgdata'));
  process.env.WARDEN_TEST_PG_URL = server.url;
  process.env.WARDEN_TEST_ROOT = root;
  (globalThis as Record<string, unknown>).__WARDEN_PG__ = server;
}
