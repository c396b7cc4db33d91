import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { WardenConfig } from '../config/warden-config.js';
import { wardenPgDriver } from './bounded-pool.js';
import { DatabaseGate } from './database-gate.js';
import { DATABASE_RUNTIME_OPTIONS, DatabaseRuntime } from './database-runtime.js';
import { GuardedClient } from './guarded-client.js';
import { QueryLogger } from './query-logger.js';
import { ReadOnlyDatabase } from './read-only-database.js';
import { CLIENT_GRACE_MS, sessionOptions } from './session-options.js';
import { type DatabaseSchema, runMigrations, runSeeds } from './migrate.js';


@Global()
@Module({})
class DatabaseRuntimeModule {
  static forRoot(tool: boolean): DynamicModule {
    return {
      module: DatabaseRuntimeModule,
      providers: [DatabaseRuntime, DatabaseGate, ReadOnlyDatabase, { provide: DATABASE_RUNTIME_OPTIONS, useValue: { tool } }],
      exports: [DatabaseRuntime, DatabaseGate, ReadOnlyDatabase],
    };
  }
}

/** Migrations and seeds on their own short-lived connection as the schema owner. */
async function migrateAsOwner(url: string, schema: DatabaseSchema): Promise<void> {
  const owner = await new DataSource({
    type: 'postgres',
    url,
    migrations: [...schema.migrations],
    migrationsTableName: 'schema_migrations',
    extra: { max: 1, application_name: 'warden-migrate' },
    logger: new QueryLogger(),
    logging: ['error', 'warn'],
  }).initialize();
  try {
    const applied = await runMigrations(owner, schema);
    if (applied.length) new Logger('database').log(`applied migrations: ${applied.join(', ')}`);
    await runSeeds(owner, schema.seeds ?? []);
  } finally {
    await owner.destroy();
  }
}

/**
 * The one data source shared by the API and the CLI. Migrations and seeds run first, as the schema
 * owner, so every module starts against an up-to-date schema; the API's pool then connects as the
 * application role. The CLI (migrate: false) runs migrations itself through its data source, so
 * it connects as the owner.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: { migrate?: boolean; schema: DatabaseSchema }): DynamicModule {
    const migrate = options.migrate ?? true;
    const runtimeModule = DatabaseRuntimeModule.forRoot(!migrate);
    let migrationUrl = ''; // set by useFactory, read by dataSourceFactory (which TypeORM retries)
    return {
      module: DatabaseModule,
      imports: [
        runtimeModule,
        TypeOrmModule.forRootAsync({
          imports: [runtimeModule],
          inject: [DatabaseRuntime, WardenConfig, DatabaseGate],
          useFactory: async (runtime: DatabaseRuntime, config: WardenConfig, gate: DatabaseGate) => {
            migrationUrl = await runtime.migrationUrl();
            const url = await runtime.url();
            // Every connection carries the server-side timeouts, the client its own deadline (session-options.ts).
            const serverTimeouts = sessionOptions(config);
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
              // The migrations own the schema (uuid defaults are the built-in gen_random_uuid()): without
              // this TypeORM tries CREATE EXTENSION "uuid-ossp" for the entities' uuid columns, which the
              // least-privilege app role may not do, and warned so on every start.
              installExtensions: false,
              migrations: [...options.schema.migrations],
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
            if (migrate) await migrateAsOwner(migrationUrl, options.schema);
            // Connecting runs TypeORM's own set-up queries, which need no request deadline. A tool (the
            // CLI) runs migrations through this data source, so it stays in maintenance mode.
            if (gate) gate.maintenance = true;
            try {
              return await new DataSource(opts!).initialize();
            } finally {
              if (gate && migrate) gate.maintenance = false;
            }
          },
        }),
      ],
      exports: [runtimeModule],
    };
  }
}
