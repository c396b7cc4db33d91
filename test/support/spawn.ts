import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { recordGroup } from './reap.mjs';

/**
 * Child processes for tests that must not outlive them, whatever happens.
 *
 * Each child is spawned `detached`: it leads its own process group, so the app and everything it
 * starts without detaching (the embedded PostgreSQL postmaster) can be signalled as one. PostgreSQL
 * backends call setsid() and leave that group, so stopping also kills every descendant found under
 * /proc. Cleanup runs three ways: `useChildProcesses()` registers an afterAll that stops what its
 * describe block spawned (a failed assertion or a timed-out test does not skip afterAll); callers
 * may stop earlier in a finally; and, as a last resort, every child's group is recorded
 * (./reap.mjs) so that jest's global teardown, and an 'exit' handler in jest's own process, SIGKILL
 * whatever is still alive. (An 'exit' handler registered here would never run: inside a test file
 * `process` is jest's sandboxed copy.)
 *
 * Timeouts come from measurements on this project's 2-core machine while ~6 people built and
 * tested on it (load average 11-13), not from guesses:
 * - full `tsc -p tsconfig.build.json` from an empty dist/: 7 s idle, 50 s loaded (14 s of CPU);
 *   an incremental build with nothing to do: 2.7 s idle, 7.4 s loaded; the mtime check in
 *   bin/ensure-build.mjs, when nothing changed: under 0.1 s of CPU.
 * - the built API from spawn to a healthy /health with a fresh embedded PostgreSQL (initdb, start,
 *   migrations, seeds): 5.8-11.7 s at load average 5-9; the crash test's two starts on an existing
 *   database and 20 s of load together took 22 s.
 * BUILD_TIMEOUT_MS is about 5x the worst build and READY_TIMEOUT_MS 10x the worst start: generous,
 * because a timeout here is a false failure while a hang is caught anyway. The spawning tests set
 * their own timeouts from them, so only those tests get the long ones (jest.config.js keeps the
 * default for everything else).
 */
export const BUILD_TIMEOUT_MS = 240_000;
export const READY_TIMEOUT_MS = 120_000;
/** How long a child gets to stop gracefully (SIGTERM to the app, which stops its PostgreSQL) before SIGKILL. */
export const STOP_GRACE_MS = 15_000;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Spawned {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** stdout alone so far. */
  stdout(): string;
  readonly exited: Promise<ExitInfo>;
  /**
   * Resolves when the child exited and its output streams closed: all its output is in. (A child
   * that leaves a grandchild holding its stdout, like an orphaned postmaster, never gets here.)
   */
  readonly closed: Promise<ExitInfo>;
  /** Has the child itself (the group leader) exited? */
  hasExited(): boolean;
  /** Signals the child alone, as a supervisor would (the behaviour under test). */
  signal(signal: NodeJS.Signals): void;
  /** Stops the child and everything it started: SIGTERM to the child, then SIGKILL to all that is left. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<Spawned>();

/** Spawns `command` in its own process group, capturing its output; see the module comment. */
export function spawnChild(command: string, args: string[], options: Omit<SpawnOptions, 'detached' | 'stdio'> = {}): Spawned {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
  const pid = child.pid;
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  let leaderExited = false;
  const exited = new Promise<ExitInfo>((resolve) =>
    child.once('exit', (code, signal) => {
      leaderExited = true;
      resolve({ code, signal });
    }),
  );
  const closed = new Promise<ExitInfo>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  let stopping: Promise<void> | undefined;
  const spawned: Spawned = {
    child,
    pid,
    output: () => output,
    stdout: () => stdout,
    exited,
    closed,
    hasExited: () => leaderExited,
    signal: (signal) => {
      if (!leaderExited) child.kill(signal);
    },
    stop(graceMs = STOP_GRACE_MS) {
      stopping ??= (async () => {
        // Descendants that left the group are found through their parent, which a graceful stop
        // may end first (they are then reparented): note them all along, from before the signal.
        const family = new Set(tree(pid));
        if (!leaderExited) {
          child.kill('SIGTERM');
          await waitUntil(() => {
            for (const p of tree(pid)) family.add(p);
            return groupMembers(pid).length === 0;
          }, graceMs);
        }
        for (const p of tree(pid)) family.add(p);
        killAll([...family], pid);
        await waitUntil(() => [...family].every((id) => !stillRunning(id)), 10_000);
        running.delete(spawned);
      })();
      return stopping;
    },
  };
  running.add(spawned);
  recordGroup(pid);
  return spawned;
}

/** Stops every child this module spawned that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

/**
 * For a describe block: children spawned through the returned function are stopped in its
 * afterAll, whatever the tests did. Call it at describe level.
 */
export function useChildProcesses(): (command: string, args: string[], options?: Omit<SpawnOptions, 'detached' | 'stdio'>) => Spawned {
  const mine = new Set<Spawned>();
  afterAll(async () => {
    await Promise.all([...mine].map((s) => s.stop()));
  }, STOP_GRACE_MS + 15_000);
  return (command, args, options) => {
    const s = spawnChild(command, args, options);
    mine.add(s);
    return s;
  };
}

/**
 * Polls `probe` until it returns a value other than undefined/false, and returns it. Fails with
 * `what` and the child's output when the deadline passes or when `child` exits first (no point in
 * waiting for a dead server). Readiness is a condition, never a fixed sleep.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; child?: Spawned } = {},
): Promise<T> {
  const { timeoutMs = READY_TIMEOUT_MS, intervalMs = 100, child } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child?.hasExited()) throw new Error(`${what}: the process exited first (${JSON.stringify(await child.exited)}):\n${child.output()}`);
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${child ? `:\n${child.output()}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Polls `url` until it answers 2xx. */
export function waitForHttp(url: string, options: { timeoutMs?: number; child?: Spawned } = {}): Promise<true> {
  return waitFor(`${url} to answer`, () => fetch(url).then((r) => r.ok, () => false), options);
}

// ------------------------------------------------------------------------------ process table

interface ProcEntry {
  pid: number;
  ppid: number;
  pgrp: number;
  zombie: boolean;
  /** Start time in clock ticks since boot: a pid plus its start time names one process, even across pid reuse. */
  start: string;
}

function processTable(): ProcEntry[] {
  const table: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.push({ pid: Number(name), ppid: Number(fields[1]), pgrp: Number(fields[2]), zombie: fields[0] === 'Z' || fields[0] === 'X', start: fields[19] });
    } catch {
      // exited while we looked
    }
  }
  return table;
}

/** Live (non-zombie) members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return processTable()
    .filter((p) => p.pgrp === pgid && !p.zombie)
    .map((p) => p.pid);
}

/** Is `pid` running (a zombie counts as gone)? */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The live members of group `pgid` and all their descendants, including those that left the group (setsid), as `pid:start`. */
function tree(pgid: number): string[] {
  const table = processTable().filter((p) => !p.zombie);
  const found = new Map(table.filter((p) => p.pgrp === pgid).map((p) => [p.pid, p.start]));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of table) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.set(p.pid, p.start);
        grew = true;
      }
    }
  }
  return [...found].map(([pid, start]) => `${pid}:${start}`);
}

/** Is the process `pid:start` (from tree()) still running, and still that process? */
function stillRunning(id: string): boolean {
  const [pid, start] = id.split(':');
  const now = processTable().find((p) => p.pid === Number(pid));
  return !!now && !now.zombie && now.start === start;
}

/** SIGKILLs group `pgid` and each of `ids` still running (a pid seen earlier may since belong to another process). */
function killAll(ids: string[], pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // the group is already empty
  }
  for (const id of ids) {
    if (!stillRunning(id)) continue;
    try {
      process.kill(Number(id.split(':')[0]), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
