import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { WardenConfig } from '../config/warden-config.js';
import { type EmbeddedServer, startEmbeddedPostgres } from './embedded-postgres.js';

/**
 * Resolves which PostgreSQL Warden talks to: DATABASE_URL when set, otherwise an embedded server
 * started here (data under WARDEN_DATA_DIR) and stopped when the app shuts down.
 */
@Injectable()
export class DatabaseRuntime implements OnApplicationShutdown {
  private readonly logger = new Logger('database');
  private embedded?: EmbeddedServer;
  private resolvedUrl?: Promise<string>;

  constructor(
    private readonly config: WardenConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  url(): Promise<string> {
    this.resolvedUrl ??= this.resolve();
    return this.resolvedUrl;
  }

  get isEmbedded(): boolean {
    return this.embedded !== undefined;
  }

  private async resolve(): Promise<string> {
    if (this.config.DATABASE_URL) return this.config.DATABASE_URL;
    this.embedded = await startEmbeddedPostgres(`${this.config.WARDEN_DATA_DIR}/pgdata`, {
      log: (msg) => this.logger.log(msg),
    });
    return this.embedded.url;
  }

  /** Closes the pool before stopping the server, so no idle connection errors out during shutdown. */
  async onApplicationShutdown(): Promise<void> {
    if (this.embedded) {
      const dataSource = this.moduleRef.get(DataSource, { strict: false });
      if (dataSource?.isInitialized) await dataSource.destroy().catch(() => undefined);
      const server = this.embedded;
      this.embedded = undefined;
      await server.stop();
      this.logger.log('embedded PostgreSQL stopped');
    }
  }
}
