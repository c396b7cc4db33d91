import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { ApprovalsModule } from '#approvals';
import { ChangesModule } from '#changes';
import { GateModule } from '#gate/server';
import { GoLiveModule } from '#go-live';
import { HeimdallModule } from '#heimdall';
import { Clock, PlatformModule, WardenConfig } from '#platform';
import { PromotionModule } from '#promotion/server';
import { RegressionTripwireModule } from '#regression-tripwire';
import { ReviewModule } from '#review';
import { RiskGuardModule } from '#risk-guard';
import { ALL_MIGRATIONS } from '../../../migrations/index.js';
import { ALL_REPEATABLE_SQL } from '../../../migrations/repeatable.js';
import { ALL_SEEDS } from '../../../seeds/index.js';
import { ConsoleModule } from './console/console.module.js';
import { DealsModule } from './deals/deals.module.js';
import { OffersModule } from './offers/offers.module.js';

export interface AppOptions {
  config: WardenConfig;
  clock?: Clock;
  /** Extra modules (tests plug in jobs or probes this way). */
  imports?: Array<Type | DynamicModule>;
}

@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // The app hands the platform its schema: migrations, repeatable SQL files and seeds.
        PlatformModule.forRoot({
          config: options.config,
          clock: options.clock,
          migrations: ALL_MIGRATIONS,
          repeatableSql: ALL_REPEATABLE_SQL,
          seeds: ALL_SEEDS,
        }),
        GoLiveModule,
        RiskGuardModule,
        HeimdallModule,
        RegressionTripwireModule,
        ApprovalsModule,
        PromotionModule,
        GateModule,
        ChangesModule,
        ReviewModule,
        DealsModule,
        OffersModule,
        ConsoleModule,
        ...(options.imports ?? []),
      ],
    };
  }
}
