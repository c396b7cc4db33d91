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
  app.enableShutdownHooks(['SIGINT', 'SIGTERM']);
  await app.listen({ port: config.PORT, host: config.HOST });
  app.getHttpAdapter().getInstance().log.info(`Warden listening on http://${config.HOST}:${config.PORT} (docs at /docs)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`warden: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
