import { rm } from 'node:fs/promises';

export default async function globalTeardown() {
  await globalThis.__WARDEN_PG__?.stop();
  if (process.env.WARDEN_TEST_ROOT) await rm(process.env.WARDEN_TEST_ROOT, { recursive: true, force: true });
}
