import { type LoggerService } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino, { type Bindings, type Logger } from 'pino';

/**
 * What never reaches a log line, wherever it sits in what is logged: credentials in headers, and
 * any field named like a secret (pino `redact`, paths compiled once at start).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'cookie',
  'token',
  'password',
  'secret',
  'api_key',
  '*.authorization',
  '*.cookie',
  '*.token',
  '*.password',
  '*.secret',
  '*.api_key',
  '*.WARDEN_BOOTSTRAP_TOKEN',
  '*.DATABASE_URL',
];

/** One pino instance for Fastify's request logs and Nest's own logger: structured JSON everywhere. */
export function createPino(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'warden' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: safeErr, error: safeErr },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
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

/**
 * The logging context of what is running now, carried across every `await` by AsyncLocalStorage
 * (the mechanism nestjs-pino's PinoLogger uses): a request's logger (Fastify's `request.log`, bound
 * to the request id) while a request is handled, a job run's bindings while a job runs. Every line
 * written through Nest's `Logger` inside it carries them. No logger is global: outside a request the
 * bindings are applied to the app's own logger when a line is written.
 */
interface LogContext {
  logger?: Logger;
  bindings?: Bindings;
}

const current = new AsyncLocalStorage<LogContext>();

/** The request's logger while a request is handled. */
export function contextLogger(): Logger | undefined {
  return current.getStore()?.logger;
}

/** Runs `fn` with `logger` as the context logger (Fastify's onRequest hook calls it with `done`). */
export function runWithLogger<T>(logger: Logger, fn: () => T): T {
  return current.run({ logger }, fn);
}

/** Runs `fn` with `bindings` (a job run's id) added to every line logged inside it. */
export function runWithLogBindings<T>(bindings: Bindings, fn: () => T): T {
  const parent = current.getStore();
  return current.run(parent?.logger ? { logger: parent.logger.child(bindings) } : { bindings: { ...parent?.bindings, ...bindings } }, fn);
}

/**
 * Runs `fn` outside any request or job context: for events of shared resources (a pooled connection
 * opened during some request keeps that request's context in its listeners, and a later pool error
 * is no line that request caused).
 */
export function withoutLogContext<T>(fn: () => T): T {
  return current.exit(fn);
}

/** A new id for a unit of work that has no request (a job run). */
export const newRunId = (): string => randomUUID();

/** Nest's start-up route listing: one line per route, noise in production logs. */
const QUIET_CONTEXTS = new Set(['RoutesResolver', 'RouterExplorer']);

export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, params: unknown[]): void {
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    if (level === 'info' && context && QUIET_CONTEXTS.has(context)) return;
    const ctx = current.getStore();
    const logger = ctx?.logger ?? (ctx?.bindings ? this.pino.child(ctx.bindings) : this.pino);
    if (typeof message === 'object' && message !== null) {
      const { msg, ...rest } = message as Record<string, unknown>;
      logger[level]({ context, ...rest }, String(msg ?? params[0] ?? ''));
    } else {
      logger[level]({ context }, String(message));
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
