import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { WardenConfig } from '../config/warden-config.js';
import { DATABASE_RUNTIME_OPTIONS, DatabaseRuntime } from './database-runtime.js';
import { ALL_MIGRATIONS, runMigrations, runSeeds } from './migrate.js';

@Global()
@Module({})
class DatabaseRuntimeModule {
  static forRoot(tool: boolean): DynamicModule {
    return {
      module: DatabaseRuntimeModule,
      providers: [DatabaseRuntime, { provide: DATABASE_RUNTIME_OPTIONS, useValue: { tool } }],
      exports: [DatabaseRuntime],
    };
  }
}

/** Migrations and seeds on their own short-lived connection as the schema owner. */
async function migrateAsOwner(url: string): Promise<void> {
  const owner = await new DataSource({
    type: 'postgres',
    url,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    extra: { max: 1, application_name: 'warden-migrate' },
    logging: ['error'],
  }).initialize();
  try {
    const applied = await runMigrations(owner);
    if (applied.length) new Logger('database').log(`applied migrations: ${applied.join(', ')}`);
    await runSeeds(owner);
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
  static forRoot(options: { migrate?: boolean } = {}): DynamicModule {
    const migrate = options.migrate ?? true;
    const runtimeModule = DatabaseRuntimeModule.forRoot(!migrate);
    let migrationUrl = ''; // set by useFactory, read by dataSourceFactory (which TypeORM retries)
    return {
      module: DatabaseModule,
      imports: [
        runtimeModule,
        TypeOrmModule.forRootAsync({
          imports: [runtimeModule],
          inject: [DatabaseRuntime, WardenConfig],
          useFactory: async (runtime: DatabaseRuntime, config: WardenConfig) => {
            migrationUrl = await runtime.migrationUrl();
            return {
              type: 'postgres' as const,
              url: await runtime.url(),
              autoLoadEntities: true,
              synchronize: false,
              migrations: ALL_MIGRATIONS,
              migrationsTableName: 'schema_migrations',
              extra: { max: config.DB_POOL_SIZE, application_name: 'warden' },
              logging: ['error' as const],
            };
          },
          dataSourceFactory: async (opts?: DataSourceOptions) => {
            if (migrate) await migrateAsOwner(migrationUrl);
            return new DataSource(opts!).initialize();
          },
        }),
      ],
      exports: [runtimeModule],
    };
  }
}
