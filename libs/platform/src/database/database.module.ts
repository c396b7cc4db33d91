import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { WardenConfig } from '../config/warden-config.js';
import { DatabaseRuntime } from './database-runtime.js';
import { ALL_MIGRATIONS, runMigrations, runSeeds } from './migrate.js';

@Global()
@Module({ providers: [DatabaseRuntime], exports: [DatabaseRuntime] })
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
          inject: [DatabaseRuntime, WardenConfig],
          useFactory: async (runtime: DatabaseRuntime, config: WardenConfig) => ({
            type: 'postgres' as const,
            url: await runtime.url(),
            autoLoadEntities: true,
            synchronize: false,
            migrations: ALL_MIGRATIONS,
            migrationsTableName: 'schema_migrations',
            extra: { max: config.DB_POOL_SIZE, application_name: 'warden' },
            logging: ['error' as const],
          }),
          dataSourceFactory: async (opts?: DataSourceOptions) => {
            const dataSource = await new DataSource(opts!).initialize();
            if (migrate) {
              const logger = new Logger('database');
              const applied = await runMigrations(dataSource);
              if (applied.length) logger.log(`applied migrations: ${applied.join(', ')}`);
              await runSeeds(dataSource);
            }
            return dataSource;
          },
        }),
      ],
      exports: [DatabaseRuntimeModule],
    };
  }
}
