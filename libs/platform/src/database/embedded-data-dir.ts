import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink, realpath, rm, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, resolve } from 'node:path';

export type Log = (msg: string, level?: 'info' | 'warn' | 'error') => void;

/**
 * A problem with the machine or the data directory that the operator must fix. Its stack is its
 * message: a stack trace would bury the one paragraph that says what to do.
 */
export class EmbeddedPostgresSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresSetupError';
    this.stack = message;
  }
}

export interface OsIds {
  uid: number;
  gid: number;
}

export const isRoot = (): boolean => userInfo().uid === 0;

function idOf(flag: '-u' | '-g', name: string): number | null {
  try {
    return Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return null;
  }
}

/** The `postgres` OS user the server runs as when Warden runs as root (PostgreSQL refuses root). */
export function postgresOsUser(): OsIds | null {
  const uid = idOf('-u', 'postgres');
  const gid = idOf('-g', 'postgres');
  return uid === null || gid === null ? null : { uid, gid };
}

/** Creates the `postgres` OS user when running as root and it is missing, saying so: never silently. */
export function ensurePostgresOsUser(log: Log): OsIds {
  const existing = postgresOsUser();
  if (existing) return existing;
  log(
    "creating the OS user and group 'postgres' to run the embedded PostgreSQL (PostgreSQL refuses to run as root); " +
      'to avoid this, run Warden as an unprivileged user or create the user yourself',
    'warn',
  );
  try {
    if (!groupExists('postgres')) execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
  } catch (err) {
    throw new EmbeddedPostgresSetupError(
      `Warden runs as root and needs an OS user 'postgres' for the embedded PostgreSQL, but could not create it (${String(err)}). ` +
        "Create it (e.g. `useradd --system postgres`), run Warden as an unprivileged user, or set DATABASE_URL to an existing PostgreSQL.",
    );
  }
  const created = postgresOsUser();
  if (!created) throw new EmbeddedPostgresSetupError("the OS user 'postgres' was created but cannot be looked up with `id postgres`");
  return created;
}

function groupExists(name: string): boolean {
  try {
    execFileSync('getent', ['group', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * initdb and postgres run as `ids` and must traverse every directory above the data directory.
 * Node's spawn with a uid drops supplementary groups, so only the owner, the primary group and
 * "others" bits count — exactly what initdb will get.
 */
export async function assertTraversable(dataDir: string, ids: OsIds): Promise<void> {
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const s = await stat(dir);
    const bit = s.uid === ids.uid ? 0o100 : s.gid === ids.gid ? 0o010 : 0o001;
    if ((s.mode & bit) === 0) {
      throw new EmbeddedPostgresSetupError(
        `The embedded PostgreSQL runs as the OS user 'postgres' (Warden runs as root), and 'postgres' cannot enter ${dir} ` +
          `(mode ${(s.mode & 0o777).toString(8)}, owner uid ${s.uid}), which lies above the data directory ${dataDir}. ` +
          `Either let it through with \`chmod o+x ${dir}\` (traverse only, no listing), or set WARDEN_DATA_DIR to a directory ` +
          `whose parents are all traversable (e.g. /var/lib/warden), or set DATABASE_URL to an existing PostgreSQL.`,
      );
    }
    if (dir === dirname(dir)) return;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

async function parentPid(pid: number): Promise<number> {
  const s = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the parenthesised command name: state, ppid, ...
  return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1] ?? 0);
}

async function argvOf(pid: number): Promise<string[]> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
}

async function cwdOf(pid: number): Promise<string | null> {
  return readlink(`/proc/${pid}/cwd`).catch(() => null);
}

/**
 * Whether `pid` is the postmaster of `dataDir`: alive, and the pid file's data-directory line names
 * this directory, and the process works in it (postgres chdirs into its data directory) or — when
 * its cwd cannot be read — was started with `-D <dataDir>`. A live process that merely has
 * "postgres" in its command line (PID reuse after a crash) is none of these.
 */
export async function isPostmasterOf(pid: number, dataDir: string, pidFileDir: string): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !isAlive(pid)) return false;
  const real = await realpath(dataDir).catch(() => dataDir);
  const named = await realpath(resolve(pidFileDir)).catch(() => resolve(pidFileDir));
  if (named !== real) return false;
  const cwd = await cwdOf(pid);
  if (cwd !== null) return cwd === real;
  const argv = await argvOf(pid);
  const d = argv.indexOf('-D');
  return d >= 0 && d + 1 < argv.length && (await realpath(resolve(argv[d + 1])).catch(() => '')) === real;
}

export type DataDirHolder =
  | { kind: 'free' }
  | { kind: 'owned'; pid: number; port: number; ownerPid: number; ownerCommand: string }
  | { kind: 'orphan'; pid: number };

/**
 * What holds the data directory now: nothing, a verified postmaster of this directory whose Node
 * parent still runs (another Warden process), or a verified postmaster orphaned by a killed run.
 * A pid file naming a live process that is not this directory's postmaster is stale (PID reuse):
 * that process is left alone and only the file goes, or PostgreSQL itself would refuse to start.
 */
export async function inspectDataDir(dataDir: string, log: Log): Promise<DataDirHolder> {
  const pidFile = resolve(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return { kind: 'free' };
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  if (!(await isPostmasterOf(pid, dataDir, lines[1] ?? ''))) {
    // A dead pid is PostgreSQL's own business (it reads the old shared-memory key from the file).
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      log(`${pidFile} names pid ${pid}, a live process that is not the PostgreSQL of this data directory; leaving it alone and removing the stale file`, 'warn');
      await rm(pidFile, { force: true });
    }
    return { kind: 'free' };
  }
  const ppid = await parentPid(pid);
  const ownerArgv = ppid > 1 && isAlive(ppid) ? await argvOf(ppid) : [];
  const ownerCommand = ownerArgv.join(' ');
  if (ppid === process.pid || basename(ownerArgv[0] ?? '').includes('node')) {
    return { kind: 'owned', pid, port: Number(lines[3]), ownerPid: ppid, ownerCommand };
  }
  return { kind: 'orphan', pid };
}

/** Stops a verified orphaned postmaster the way pg_ctl would: SIGINT (fast shutdown), then SIGQUIT. */
export async function stopOrphan(pid: number, dataDir: string, log: Log): Promise<void> {
  log(`stopping the embedded PostgreSQL (pid ${pid}) orphaned by an earlier run`, 'warn');
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, 15000))) {
    const pidFileDir = (await readFile(resolve(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[1] ?? '';
    if (await isPostmasterOf(pid, dataDir, pidFileDir)) process.kill(pid, 'SIGQUIT');
    await waitForExit(pid, 5000);
  }
}

/**
 * Processes working in the data directory other than us: backends of a postmaster that died. A
 * new postmaster cannot start while they hold the old shared memory, and they exit on their own
 * once they notice the postmaster is gone, so a restart waits for them.
 */
export async function leftoverBackends(dataDir: string): Promise<number[]> {
  const real = await realpath(dataDir).catch(() => dataDir);
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((e) => /^\d+$/.test(e)).map(Number);
  const found: number[] = [];
  for (const pid of pids) if (pid !== process.pid && (await cwdOf(pid)) === real) found.push(pid);
  return found;
}

export async function waitForLeftovers(dataDir: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await leftoverBackends(dataDir)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}
