import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type WardenConfig } from '#platform';
import { ALL_MIGRATIONS } from '../../../migrations/index.js';
import { ALL_REPEATABLE_SQL } from '../../../migrations/repeatable.js';
import { ALL_SEEDS } from '../../../seeds/index.js';

/** The CLI's Nest context: the platform (same config and data source as the API) without HTTP or jobs. */
@Module({})
export class CliModule {
  static forRoot(config: WardenConfig): DynamicModule {
    // The same schema as the API's; the commands run it on demand (migrate: false), as the owner.
    const platform = PlatformModule.forRoot({
      config,
      http: false,
      migrate: false,
      migrations: ALL_MIGRATIONS,
      repeatableSql: ALL_REPEATABLE_SQL,
      seeds: ALL_SEEDS,
    });
    return { module: CliModule, imports: [platform] };
  }
}
