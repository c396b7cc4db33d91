import { type DynamicModule, Module } from '@nestjs/common';
import { GoLiveModule } from '#go-live';
import { Clock, PlatformModule, WardenConfig } from '#platform';
import { RegressionTripwireModule } from '#regression-tripwire';
import { DealsModule } from './deals/deals.module.js';

export interface AppOptions {
  config: WardenConfig;
  clock?: Clock;
}

@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ config: options.config, clock: options.clock }), GoLiveModule, RegressionTripwireModule, DealsModule],
    };
  }
}
