import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { WardenConfig } from '../config/warden-config.js';
import { DatabaseGate } from './database-gate.js';
import { DatabaseRuntime } from './database-runtime.js';
import { wardenPgDriver } from './bounded-pool.js';
import { GuardedClient } from './guarded-client.js';
import { QueryLogger } from './query-logger.js';
import { ALL_MIGRATIONS, runMigrations, runSeeds } from './migrate.js';

/** How much longer than the server's statement_timeout the client waits before it gives up on the server. */
const CLIENT_GRACE_MS = 250;

@Global()
@Module({ providers: [DatabaseRuntime, DatabaseGate], exports: [DatabaseRuntime, DatabaseGate] })
class DatabaseRuntimeModule {}

/**
 * The one data source shared by the API and the CLI. Migrations and seeds run before anything
 * else can use it, so every module starts against an up-to-date schema.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: { migrate?: boolean } = {}): DynamicModule {
    const migrate = options.migrate ?? true;
    return {
      module: DatabaseModule,
      imports: [
        DatabaseRuntimeModule,
        TypeOrmModule.forRootAsync({
          imports: [DatabaseRuntimeModule],
          inject: [DatabaseRuntime, WardenConfig, DatabaseGate],
          useFactory: async (runtime: DatabaseRuntime, config: WardenConfig, gate: DatabaseGate) => {
            const url = await runtime.url();
            // Every connection carries the server-side timeouts; the client adds its own deadline per
            // statement (GuardedClient), because a frozen server enforces none of them.
            // See docs/failure-modes.md for the bound these add up to.
            const serverTimeouts = [
              `-c statement_timeout=${config.DB_STATEMENT_TIMEOUT_MS}`,
              `-c lock_timeout=${config.DB_LOCK_TIMEOUT_MS}`,
              `-c idle_in_transaction_session_timeout=${config.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS}`,
            ].join(' ');
            gate.configure({
              connection: { connectionString: url, application_name: 'warden-probe' },
              connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
              probeIntervalMs: Math.min(250, config.DB_CONNECT_TIMEOUT_MS),
            });
            return {
              type: 'postgres' as const,
              driver: wardenPgDriver,
              url,
              autoLoadEntities: true,
              synchronize: false,
              migrations: ALL_MIGRATIONS,
              migrationsTableName: 'schema_migrations',
              extra: {
                max: config.DB_POOL_SIZE,
                application_name: 'warden',
                options: serverTimeouts,
                // A request waits at most the acquire bound for a connection; one being opened for it
                // may take up to the connect timeout and then serves the next request (BoundedPool).
                acquireTimeoutMillis: config.DB_POOL_ACQUIRE_TIMEOUT_MS,
                connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT_MS,
                Client: GuardedClient,
                warden: { gate, queryTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS + CLIENT_GRACE_MS },
              },
              // TypeORM's own error logging prints every parameter of a failed query: ours does not.
              logger: new QueryLogger(),
              logging: ['error' as const, 'warn' as const],
            };
          },
          dataSourceFactory: async (opts?: DataSourceOptions) => {
            const gate = (opts as { extra?: { warden?: { gate?: DatabaseGate } } } | undefined)?.extra?.warden?.gate;
            // Migrations and seeds run before any request, without the request timeouts (a long
            // migration must not be cut off at 1 s); the server-side ones are lifted per transaction.
            if (gate) gate.maintenance = true;
            try {
              const dataSource = await new DataSource(opts!).initialize();
              if (migrate) {
                const logger = new Logger('database');
                const applied = await runMigrations(dataSource);
                if (applied.length) logger.log(`applied migrations: ${applied.join(', ')}`);
                await runSeeds(dataSource);
              }
              return dataSource;
            } finally {
              if (gate) gate.maintenance = false;
            }
          },
        }),
      ],
      exports: [DatabaseRuntimeModule],
    };
  }
}
