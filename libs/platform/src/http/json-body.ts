import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '../errors/error-body.js';
import { WardenError } from '../errors/warden-error.js';
import { formatPath, InputErrorCode, MAX_JSON_DEPTH, type NumberSource, scanJson } from './json-scan.js';

/**
 * The source text of the numbers of a parsed body that were written in another form than the
 * shortest (`1e3`, `1.50`, `-0`), keyed by the object that holds them and the key. Field rules
 * that care how a number was written (integers, amounts) read it through `numberSourceText`; a
 * WeakMap, so it lives exactly as long as the parsed body.
 */
const sources = new WeakMap<object, Map<string, string>>();

/** How the number at `container[key]` was written in the JSON body, when not in its shortest form. */
export function numberSourceText(container: unknown, key: string | number): string | undefined {
  if (typeof container !== 'object' || container === null) return undefined;
  return sources.get(container)?.get(String(key));
}

function registerNumberSources(root: unknown, numbers: NumberSource[]): void {
  for (const { path, text } of numbers) {
    if (path.length === 0) continue;
    let container: unknown = root;
    for (const key of path.slice(0, -1)) {
      container = typeof container === 'object' && container !== null ? (container as Record<string, unknown>)[key] : undefined;
    }
    if (typeof container !== 'object' || container === null) continue;
    const key = String(path[path.length - 1]);
    // A duplicate key keeps the last value: record the text only if it is the one that stayed.
    if (!Object.is((container as Record<string, unknown>)[key], Number(text))) continue;
    let map = sources.get(container);
    if (!map) sources.set(container, (map = new Map()));
    map.set(key, text);
  }
}

function inputError(code: string, field: string, problem: string): WardenError {
  return WardenError.badRequest(code, `${field}: ${problem}`, { fields: [{ field, problems: [problem] }] });
}

export interface JsonBodyParserOptions {
  bodyLimit: number;
  maxDepth?: number;
}

/**
 * Replaces the JSON body parser: the text is scanned first (depth, NUL, unpaired surrogates,
 * numbers that JSON.parse would change: 400 before anything else sees the body), then parsed by
 * Fastify's own parser (prototype-poisoning checks kept), and the forms of non-shortest numbers
 * are recorded for the field rules.
 */
export function installJsonBodyParser(app: NestFastifyApplication, options: JsonBodyParserOptions): void {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const parse = fastify.getDefaultJsonParser('error', 'error');
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  app.useBodyParser('application/json', { bodyLimit: options.bodyLimit }, (request, body, done) => {
    const text = body.toString('utf8');
    const scan = scanJson(text, maxDepth);
    if (scan.problem) {
      done(inputError(scan.problem.code, formatPath(scan.problem.path), scan.problem.message), undefined);
      return;
    }
    parse(request as unknown as FastifyRequest, text, (error, value) => {
      if (error) {
        done(error, undefined);
        return;
      }
      if (scan.numbers.length) registerNumberSources(value, scan.numbers);
      done(null, value);
    });
  });
}

/** NUL, or a surrogate that is not half of a pair: PostgreSQL refuses both in text and jsonb. */
export function stringProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'NUL (\\u0000) is not allowed';
  if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) return 'unpaired surrogate';
  return undefined;
}

function findBadString(source: string, values: unknown): { field: string; problem: string } | undefined {
  if (typeof values !== 'object' || values === null) return undefined;
  for (const [key, value] of Object.entries(values)) {
    const keyProblem = stringProblem(key);
    if (keyProblem) return { field: `${source} key`, problem: keyProblem };
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item !== 'string') continue;
      const problem = stringProblem(item);
      if (problem) return { field: `${source} ${key}`, problem };
    }
  }
  return undefined;
}

/**
 * Path parameters, query strings and form bodies arrive already decoded (`%00` is a NUL): they are
 * checked here, before validation, so that no handler ever sends one to the database. JSON bodies
 * were checked by the body parser.
 */
export function installInputStringHook(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
    const form = String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const bad =
      findBadString('path parameter', request.params) ?? findBadString('query parameter', request.query) ?? (form ? findBadString('form field', request.body) : undefined);
    if (!bad) return;
    const message = `${bad.field}: ${bad.problem}`;
    const body: ErrorBody = { statusCode: 400, error: InputErrorCode.InvalidString, message, details: { fields: [{ field: bad.field, problems: [bad.problem] }] } };
    return reply.code(400).send(body);
  });
}

/** Everything the input layer installs on the app: call before `app.init()`. */
export function installInputGuards(app: NestFastifyApplication, options: JsonBodyParserOptions): void {
  installJsonBodyParser(app, options);
  installInputStringHook(app.getHttpAdapter().getInstance() as unknown as FastifyInstance);
}
