import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type WardenConfig } from '#platform';

/** The CLI's Nest context: the platform (same config and data source as the API) without HTTP or jobs. */
@Module({})
export class CliModule {
  static forRoot(config: WardenConfig): DynamicModule {
    return { module: CliModule, imports: [PlatformModule.forRoot({ config, http: false, migrate: false })] };
  }
}
