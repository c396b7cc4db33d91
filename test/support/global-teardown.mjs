import { rm } from 'node:fs/promises';
import { reapRecordedGroups } from './reap.mjs';

export default async function globalTeardown() {
  const left = reapRecordedGroups();
  if (left.length) console.warn(`warden tests: killed ${left.length} spawned process(es) that outlived their test: ${left.join(', ')}`);
  await globalThis.__WARDEN_PG__?.stop();
  if (process.env.WARDEN_TEST_ROOT) await rm(process.env.WARDEN_TEST_ROOT, { recursive: true, force: true });
}
