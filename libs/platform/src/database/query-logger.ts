import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { describeError, isDatabaseUnavailable } from '../errors/database-errors.js';
import { withoutLogContext } from '../logging/pino-logger.js';

/**
 * TypeORM's logger, minus what must not reach a log: a failed query is logged with its error code,
 * message and SQL text, never its parameters (they carry token hashes, amounts, reasons...).
 */
export class QueryLogger implements TypeOrmLogger {
  private readonly logger = new Logger('database');

  logQuery(): void {
    // never: one line per query would drown everything else
  }

  logQueryError(error: string | Error, query: string): void {
    const described = typeof error === 'string' ? { message: error } : describeError(error);
    delete described.stack;
    const what = isDatabaseUnavailable(error) ? 'database unavailable' : 'query failed';
    this.logger.warn({ msg: `${what}: ${String(described.code ?? '')} ${String(described.message ?? '')}`.trim(), query: query.slice(0, 2000) });
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ msg: `slow query (${time} ms)`, query: query.slice(0, 2000) });
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  /** The driver's own events (a pool error): about the shared pool, not the request that happened to open the connection. */
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    withoutLogContext(() => (level === 'warn' ? this.logger.warn(String(message)) : this.logger.debug(String(message))));
  }
}
