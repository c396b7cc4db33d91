import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditConsole } from './audit/audit.console.js';
import { AuditController } from './audit/audit.controller.js';
import { AuditLogEntity } from './audit/audit-log.entity.js';
import { AuditChainService } from './audit/audit-chain.service.js';
import { AuditService } from './audit/audit.service.js';
import { ApiTokenEntity } from './auth/api-token.entity.js';
import { AuthGuard } from './auth/auth.guard.js';
import { OidcFlowRepository } from './auth/oidc-flow.repository.js';
import { OidcService } from './auth/oidc.service.js';
import { SessionRepository } from './auth/session.repository.js';
import { SessionService } from './auth/session.service.js';
import { TokenService } from './auth/token.service.js';
import { TokensController } from './auth/tokens.controller.js';
import { Clock } from './clock/clock.js';
import { WardenConfig } from './config/warden-config.js';
import { DatabaseModule } from './database/database.module.js';
import type { DatabaseSchema } from './database/migrate.js';
import { GlobalExceptionFilter } from './errors/exception.filter.js';
import { HealthController } from './health/health.controller.js';
import { createValidationPipe } from './http/validation.js';
import { JobRunEntity } from './jobs/job-run.entity.js';
import { JobRunner } from './jobs/job-runner.js';
import { ReviewSectionRegistry } from './review/review-registry.js';
import { ConsolePanelRegistry } from './lever/console-panels.js';
import { LeverExplorer } from './lever/lever-explorer.js';
import { ReadinessRegistry } from './lever/readiness-registry.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsService } from './metrics/metrics.service.js';
import { PlatformMetrics } from './metrics/platform.metrics.js';
import { NotifyListener } from './notify/notify-listener.js';
import { OutboxConsole } from './outbox/outbox.console.js';
import { OutboxController } from './outbox/outbox.controller.js';
import { OutboxDeliveriesService } from './outbox/outbox-deliveries.service.js';
import { OutboxDispatcher } from './outbox/outbox.dispatcher.js';
import { OutboxRepository } from './outbox/outbox.repository.js';
import { OutboxService } from './outbox/outbox.service.js';
import { PolicyUpsertService } from './policy/policy-upsert.service.js';
import { StreamController } from './stream/stream.controller.js';
import { StreamHub } from './stream/stream-hub.js';
import { StreamRegistry } from './stream/stream-registry.js';
import { StreamRepository } from './stream/stream.repository.js';
import { StreamService } from './stream/stream.service.js';

export interface PlatformOptions {
  config: WardenConfig;
  /** Replaces the system clock (tests move time with a ManualClock). */
  clock?: Clock;
  /** The CLI runs without HTTP controllers and jobs. */
  http?: boolean;
  /** Run migrations, repeatable SQL and seeds at start (the CLI runs them itself, on command). */
  migrate?: boolean;
  /** The versioned migrations, handed in by the app (the platform imports no migration). */
  migrations: DatabaseSchema['migrations'];
  /** Repeatable SQL files (function bodies), applied after the migrations when their text changes. */
  repeatableSql?: DatabaseSchema['repeatableSql'];
  /** Each lever's idempotent reference data, run after the migrations. */
  seeds?: DatabaseSchema['seeds'];
}

/** The schema the app handed in, for the CLI's `migrate` and `seed` commands. */
export abstract class WardenSchema implements DatabaseSchema {
  abstract readonly migrations: DatabaseSchema['migrations'];
  abstract readonly repeatableSql: NonNullable<DatabaseSchema['repeatableSql']>;
  abstract readonly seeds: NonNullable<DatabaseSchema['seeds']>;
}

const SHARED = [
  AuditService,
  AuditChainService,
  TokenService,
  NotifyListener,
  MetricsService,
  JobRunner,
  PolicyUpsertService,
  OutboxRepository,
  OutboxService,
  ReviewSectionRegistry,
  ReadinessRegistry,
  ConsolePanelRegistry,
  LeverExplorer,
  SessionRepository,
  SessionService,
  OidcFlowRepository,
  OidcService,
  StreamRegistry,
  StreamRepository,
  StreamService,
];

/** Everything the levers stand on: config, clock, database, auth, audit, errors, metrics, jobs. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const http = options.http ?? true;
    const schema: WardenSchema = { migrations: options.migrations, repeatableSql: options.repeatableSql ?? [], seeds: options.seeds ?? [] };
    return {
      module: PlatformModule,
      imports: [
        DatabaseModule.forRoot({ migrate: options.migrate, schema }),
        TypeOrmModule.forFeature([AuditLogEntity, ApiTokenEntity, JobRunEntity]),
        ScheduleModule.forRoot(),
        DiscoveryModule,
        ...(http ? [TerminusModule] : []),
      ],
      controllers: http ? [HealthController, MetricsController, TokensController, AuditController, OutboxController, StreamController] : [],
      providers: [
        { provide: WardenConfig, useValue: options.config },
        { provide: Clock, useValue: options.clock ?? new Clock() },
        { provide: WardenSchema, useValue: schema },
        ...SHARED,
        ...(http
          ? [
              // The CLI writes notifications; only the server delivers them.
              OutboxDispatcher,
              OutboxDeliveriesService,
              // The platform's console pages (the audit trail, the outbox): found like any lever's.
              AuditConsole,
              OutboxConsole,
              PlatformMetrics,
              StreamHub,
              { provide: APP_GUARD, useClass: AuthGuard },
              { provide: APP_FILTER, useClass: GlobalExceptionFilter },
              { provide: APP_PIPE, useFactory: createValidationPipe },
            ]
          : []),
      ],
      exports: [WardenConfig, Clock, WardenSchema, DatabaseModule, ...SHARED, ...(http ? [OutboxDispatcher, StreamHub] : [])],
    };
  }
}
