import { type LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/** One pino instance for Fastify's request logs and Nest's own logger: structured JSON everywhere. */
export function createPino(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, base: { service: 'warden' }, timestamp: pino.stdTimeFunctions.isoTime, serializers: { err: safeErr, error: safeErr } };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * pino's error serializer copies every enumerable property; a TypeORM QueryFailedError carries the
 * query's `parameters` (token hashes, amounts, reasons) and the driver error its `detail` with key
 * values. Those never reach a log.
 */
function safeErr(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  delete out.parameters;
  delete out.driverError;
  delete out.detail;
  delete out.where;
  return out;
}

export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, params: unknown[]): void {
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    if (typeof message === 'object' && message !== null) {
      const { msg, ...rest } = message as Record<string, unknown>;
      this.pino[level]({ context, ...rest }, String(msg ?? params[0] ?? ''));
    } else {
      this.pino[level]({ context }, String(message));
    }
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
}
