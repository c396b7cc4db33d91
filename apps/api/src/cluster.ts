import cluster, { type Worker } from 'node:cluster';
import { startEmbeddedPostgres, type WardenConfig } from '#platform';

/**
 * WARDEN_WORKERS: how many processes serve HTTP on the one port (Node's cluster; default 1, this
 * process alone). A Node process uses one core for JavaScript, so on a machine with more cores
 * more workers serve more decisions (docs/gate.md, performance). Each worker is a whole Warden
 * instance — as two instances on one database already are: the jobs run once per period across all
 * of them (advisory locks), each worker has its own NOTIFY listener and caches, and a revocation,
 * a kill switch or a policy change reaches every worker by NOTIFY as it reaches another instance.
 */
export function workerCount(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 1;
  if (!/^[1-9][0-9]?$/.test(raw.trim())) throw new Error(`WARDEN_WORKERS must be an integer from 1 to 99, not '${raw}'`);
  return Number(raw.trim());
}

/**
 * The primary: starts the embedded PostgreSQL when no DATABASE_URL is given (one server for all
 * workers; they connect to it as an external database, as the app role, migrations as the owner),
 * forks one worker and waits until it listens (it runs the migrations and prints a first admin
 * token, once), then the others. A worker that dies is replaced; one that dies before it ever
 * listened stops everything (a start-up failure would only repeat). SIGINT/SIGTERM stop the
 * workers, then the embedded server.
 */
export async function runPrimary(config: WardenConfig, workers: number): Promise<void> {
  const env: Record<string, string> = {};
  let stopEmbedded: () => Promise<void> = async () => undefined;
  if (!config.DATABASE_URL) {
    const server = await startEmbeddedPostgres(`${config.WARDEN_DATA_DIR}/pgdata`, {
      log: (msg) => process.stdout.write(`warden primary: ${msg}\n`),
      onFatal: (err) => {
        process.stderr.write(`warden primary: ${err.message}; exiting so a supervisor can restart Warden\n`);
        process.exit(1);
      },
    });
    env.DATABASE_URL = server.appUrl;
    env.DATABASE_MIGRATION_URL = server.url;
    stopEmbedded = () => server.stop();
  }

  let stopping = false;
  const live = new Set<Worker>();
  const fork = (): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork(env);
      live.add(worker);
      let listened = false;
      worker.once('listening', () => {
        listened = true;
        resolve(worker);
      });
      worker.once('exit', (code, signal) => {
        live.delete(worker);
        if (stopping) return;
        if (!listened) {
          reject(new Error(`a worker exited before it listened (code ${code}, signal ${signal})`));
          return;
        }
        process.stderr.write(`warden primary: worker ${worker.process.pid} exited (code ${code}, signal ${signal}); starting another\n`);
        void fork().catch((err: unknown) => shutdown(1, String(err)));
      });
    });

  const shutdown = (code: number, why: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Warden: ${why}, stopping ${live.size} workers\n`);
    const gone = [...live].map((w) => new Promise((r) => (w.isDead() ? r(undefined) : w.once('exit', r))));
    for (const w of live) w.process.kill('SIGTERM');
    void Promise.all(gone)
      .then(() => stopEmbedded())
      .then(
        () => process.exit(code),
        () => process.exit(1),
      );
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => {
      process.once(signal, () => process.exit(1));
      shutdown(0, `${signal} received`);
    });
  }

  try {
    await fork();
    await Promise.all(Array.from({ length: workers - 1 }, () => fork()));
  } catch (err) {
    shutdown(1, `start-up failed: ${String(err instanceof Error ? err.message : err)}`);
    return;
  }
  process.stdout.write(`Warden: ${workers} workers listening on http://${config.HOST}:${config.PORT}\n`);
}
