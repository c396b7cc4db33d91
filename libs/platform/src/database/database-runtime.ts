import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { WardenConfig } from '../config/warden-config.js';
import { EmbeddedPostgresSetupError, type EmbeddedServer, startEmbeddedPostgres } from './embedded-postgres.js';

export const DATABASE_RUNTIME_OPTIONS = Symbol('DATABASE_RUNTIME_OPTIONS');

export interface DatabaseRuntimeOptions {
  /**
   * A tool (the CLI) rather than the server: it connects as the owner, because it runs migrations
   * itself, and may connect to the embedded server of a running Warden instead of refusing.
   */
  tool: boolean;
}

interface Urls {
  /** The application's pool and LISTEN connection. */
  app: string;
  /** Migrations and seeds (the schema owner). */
  owner: string;
}

/**
 * Resolves which PostgreSQL Warden talks to and as whom. DATABASE_URL when set (and
 * DATABASE_MIGRATION_URL for migrations, when set; otherwise DATABASE_URL does both); otherwise an
 * embedded server started here (data under WARDEN_DATA_DIR), where the application connects as the
 * DML-only role and migrations as the owner. The embedded server is restarted if it dies; if that
 * fails, the process exits non-zero so a supervisor can restart Warden.
 */
@Injectable()
export class DatabaseRuntime implements OnApplicationShutdown {
  private readonly logger = new Logger('database');
  private embedded?: EmbeddedServer;
  private resolved?: Promise<Urls>;
  /** Other pools on this database (ReadOnlyDatabase), closed before an embedded server stops. */
  private readonly closers: Array<() => Promise<void>> = [];

  constructor(
    private readonly config: WardenConfig,
    private readonly moduleRef: ModuleRef,
    @Inject(DATABASE_RUNTIME_OPTIONS) private readonly options: DatabaseRuntimeOptions,
  ) {}

  /** The URL the application's connections use. */
  async url(): Promise<string> {
    const urls = await this.urls();
    return this.options.tool ? urls.owner : urls.app;
  }

  /** The URL migrations and seeds run with: the schema owner. */
  async migrationUrl(): Promise<string> {
    return (await this.urls()).owner;
  }

  /** Registers a pool to close before the embedded server stops. */
  beforeStop(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  get isEmbedded(): boolean {
    return this.embedded !== undefined;
  }

  private urls(): Promise<Urls> {
    this.resolved ??= this.resolve();
    return this.resolved;
  }

  private async resolve(): Promise<Urls> {
    const { DATABASE_URL, DATABASE_MIGRATION_URL } = this.config;
    if (DATABASE_URL) return { app: DATABASE_URL, owner: DATABASE_MIGRATION_URL ?? DATABASE_URL };
    if (DATABASE_MIGRATION_URL) throw new EmbeddedPostgresSetupError('DATABASE_MIGRATION_URL is set without DATABASE_URL: set both, or neither for the embedded PostgreSQL');
    this.embedded = await startEmbeddedPostgres(`${this.config.WARDEN_DATA_DIR}/pgdata`, {
      share: this.options.tool,
      log: (msg, level = 'info') => (level === 'info' ? this.logger.log(msg) : this.logger[level](msg)),
      onFatal: (err) => {
        this.logger.error(`${err.message}; exiting so a supervisor can restart Warden`);
        process.exit(1);
      },
    });
    return { app: this.embedded.appUrl, owner: this.embedded.url };
  }

  /** Closes the pools before stopping the server, so no idle connection errors out during shutdown. */
  async onApplicationShutdown(): Promise<void> {
    if (this.embedded) {
      for (const close of this.closers) await close();
      const dataSource = this.moduleRef.get(DataSource, { strict: false });
      if (dataSource?.isInitialized) await dataSource.destroy().catch(() => undefined);
      const server = this.embedded;
      this.embedded = undefined;
      await server.stop();
      if (!server.shared) this.logger.log('embedded PostgreSQL stopped');
    }
  }
}
