// Last resort against test processes that outlive the run (plain JavaScript: jest's global setup
// and teardown run outside its module system).
//
// test/support/spawn.ts records each child's process group here as it spawns it. The global
// teardown, and an 'exit' handler the global setup installs in jest's own process, SIGKILL every
// recorded group still alive, with the descendants that left it (PostgreSQL backends call setsid).
// The handler has to live here, in the real process: inside a test file `process` is jest's
// sandboxed copy, whose 'exit' event never fires (verified with jest 29).
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const registry = () => (process.env.WARDEN_TEST_ROOT ? join(process.env.WARDEN_TEST_ROOT, 'spawned-groups') : undefined);

function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields after the name: 0 state, 1 ppid, 2 pgrp, ..., 19 starttime
    return { pid, state: f[0], ppid: Number(f[1]), pgrp: Number(f[2]), start: f[19] };
  } catch {
    return undefined;
  }
}

/** Records a spawned child (its pid is its process group id) with its start time, against PID reuse. */
export function recordGroup(pid, file = registry()) {
  const s = stat(pid);
  if (file && s) appendFileSync(file, `${pid} ${s.start}\n`);
}

/** SIGKILLs every group recorded in `file` that is still alive, and their descendants. Synchronous. Returns the pids signalled. */
export function reapRecordedGroups(file = registry()) {
  let lines;
  try {
    lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
  const table = readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map((n) => stat(Number(n)))
    .filter((p) => p && p.state !== 'Z' && p.state !== 'X');
  const doomed = new Set();
  for (const line of lines) {
    const [pgid, start] = line.split(' ');
    const leader = table.find((p) => p.pid === Number(pgid));
    // A live leader with another start time is a new process that reused the pid: not ours. (A pid
    // is never reused while a process group with that id still has members.)
    if (leader && leader.start !== start) continue;
    for (const p of table) if (p.pgrp === Number(pgid)) doomed.add(p.pid);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of table) {
      if (!doomed.has(p.pid) && doomed.has(p.ppid)) {
        doomed.add(p.pid);
        grew = true;
      }
    }
  }
  for (const pid of doomed) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return [...doomed];
}
