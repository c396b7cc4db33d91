import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reapRecordedGroups, recordGroup } from './support/reap.mjs';
import { isRunning, spawnChild, useChildProcesses, waitFor } from './support/spawn.js';

// A child that starts two grandchildren, one in its process group and one that leaves it (as
// PostgreSQL backends do with setsid), prints their pids, and stays up.
const FAMILY = `
  const { spawn } = require('node:child_process');
  const forever = ['-e', 'setInterval(() => {}, 1000)'];
  const inGroup = spawn(process.execPath, forever, { stdio: 'ignore' });
  const ownGroup = spawn(process.execPath, forever, { stdio: 'ignore', detached: true });
  console.log(JSON.stringify({ inGroup: inGroup.pid, ownGroup: ownGroup.pid }));
  setInterval(() => {}, 1000);`;

async function family(spawn: typeof spawnChild) {
  const child = spawn(process.execPath, ['-e', FAMILY]);
  const pids = await waitFor('the family to start', () => child.stdout().includes('}') && (JSON.parse(child.stdout()) as { inGroup: number; ownGroup: number }), { child });
  return { child, all: [child.pid, pids.inGroup, pids.ownGroup] };
}

describe('test/support/spawn.ts: nothing a test spawns outlives it', () => {
  const spawn = useChildProcesses();

  it('stop() ends the child, its process group, and descendants that left the group', async () => {
    const { child, all } = await family(spawn);
    expect(all.every(isRunning)).toBe(true);
    await child.stop(1000); // the in-group grandchild ignores its parent's end: the grace runs out
    expect(all.filter(isRunning)).toEqual([]);
  });

  it('a child that ignores SIGTERM is killed after the grace period', async () => {
    const child = spawn(process.execPath, ['-e', `process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);`]);
    await waitFor('the child to install its handler', () => child.stdout().includes('up'), { child });
    await child.stop(200);
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('a child left running (no afterAll ran) is reaped from the run registry, descendants included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'warden-reap-'));
    try {
      const { child, all } = await family(spawnChild); // not tied to this describe's afterAll
      const registry = join(dir, 'spawned-groups');
      recordGroup(child.pid, registry);
      expect(reapRecordedGroups(registry).sort()).toEqual([...all].sort());
      await waitFor('the reaped family to be gone', () => all.filter(isRunning).length === 0);
      await child.stop(); // nothing left to do; keeps the module's own bookkeeping tidy
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('waitFor gives up at once, with the output, when the child exits first', async () => {
    const child = spawn(process.execPath, ['-e', `console.log('bad config'); process.exit(3)`]);
    await expect(waitFor('a server that never comes', () => false, { child })).rejects.toThrow(/exited first[\s\S]*bad config/);
  });
});
