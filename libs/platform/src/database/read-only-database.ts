import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { WardenConfig } from '../config/warden-config.js';
import { BoundedPool } from './bounded-pool.js';
import { DatabaseGate, DatabaseUnavailableError } from './database-gate.js';
import { DatabaseRuntime } from './database-runtime.js';
import { GuardedClient } from './guarded-client.js';
import { CLIENT_GRACE_MS, sessionOptions } from './session-options.js';

/**
 * The read path: single statements on a second pool whose sessions are read-only
 * (`default_transaction_read_only=on` at connect). On the write path every statement holds its
 * Sync back until its result arrived, so one answered 503 never commits later; that costs a
 * second socket write per statement. Here a late reply commits nothing, so the Sync goes with the
 * statement, while the client deadline and the gate still answer 503 within the same bound
 * (docs/failure-modes.md "Reads").
 *
 * Only repositories' hot read methods use it, explicitly (`sqlRows(this.reads, ...)`); anything
 * else stays on the DataSource. A write sent here by mistake fails (SQLSTATE 25006), it never
 * commits. The session is checked on every statement: the client runs nothing once the server
 * reports default_transaction_read_only off.
 */
@Injectable()
export class ReadOnlyDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger('database');
  private pool?: BoundedPool;
  private opening?: Promise<BoundedPool>;
  private closed = false;

  constructor(
    private readonly runtime: DatabaseRuntime,
    private readonly config: WardenConfig,
    private readonly gate: DatabaseGate,
  ) {
    runtime.beforeStop(() => this.close());
  }

  /** Runs one read-only statement and returns its rows (EntityManager.query's shape, for `sqlRows`/`sqlOne`). */
  query<T = any[]>(text: string, params: unknown[] = []): Promise<T> {
    const pool = this.pool;
    if (pool) return pool.query(text, params).then((r) => r.rows as T);
    return this.open().then((p) => p.query(text, params).then((r) => r.rows as T));
  }

  private open(): Promise<BoundedPool> {
    if (this.closed) return Promise.reject(new DatabaseUnavailableError('the read pool is closed (shutting down)'));
    this.opening ??= this.runtime.url().then((url) => {
      const { config, gate } = this;
      const pool = new BoundedPool({
        connectionString: url,
        max: config.DB_POOL_SIZE,
        application_name: 'warden-read',
        options: `${sessionOptions(config)} -c default_transaction_read_only=on`,
        acquireTimeoutMillis: config.DB_POOL_ACQUIRE_TIMEOUT_MS,
        connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT_MS,
        Client: GuardedClient,
        warden: { gate, queryTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS + CLIENT_GRACE_MS, readOnly: true },
      } as unknown as ConstructorParameters<typeof BoundedPool>[0]);
      // An idle connection dropped by the server (a restart, an outage) is not a crash.
      pool.on('error', (err) => this.logger.warn(`idle read connection lost: ${err.message}`));
      if (this.closed) void pool.end().catch(() => undefined);
      else this.pool = pool;
      return pool;
    });
    return this.opening;
  }

  /** Closes the pool (before an embedded server stops: DatabaseRuntime calls it first, see beforeStop). */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool ?? (await this.opening?.catch(() => undefined));
    this.pool = undefined;
    await pool?.end().catch(() => undefined);
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
