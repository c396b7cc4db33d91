import { rm } from 'node:fs/promises';
// @ts-ignore -- jest loads global setup through require(), which finds the .ts source only without an extension
import type { EmbeddedServer } from '../../libs/platform/src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__WARDEN_PG__ as EmbeddedServer | undefined;
  await server?.stop();
  if (process.env.WARDEN_TEST_ROOT) await rm(process.env.WARDEN_TEST_ROOT, { recursive: true, force: true });
}
