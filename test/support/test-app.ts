import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createApp, type CreateAppOptions } from '../../apps/api/src/create-app.js';
import { Clock, loadConfig, ManualClock, type Role } from '#platform';

/** Generous database timeouts for tests of behaviour (see startTestApp). */
const TEST_DB_TIMEOUTS = {
  DB_STATEMENT_TIMEOUT_MS: '20000',
  DB_LOCK_TIMEOUT_MS: '10000',
  DB_POOL_ACQUIRE_TIMEOUT_MS: '20000',
  DB_CONNECT_TIMEOUT_MS: '10000',
};

/** The production defaults of the database timeouts, for tests of the fail-closed bound itself. */
export const PRODUCTION_DB_TIMEOUTS = {
  DB_STATEMENT_TIMEOUT_MS: '1000',
  DB_LOCK_TIMEOUT_MS: '500',
  DB_POOL_ACQUIRE_TIMEOUT_MS: '500',
  DB_CONNECT_TIMEOUT_MS: '3000',
};

export const ADMIN_TOKEN = 'test-admin-token-000000000000';

/** A fresh, empty database on the run's embedded server: each test file isolates its data. */
export async function createTestDatabase(prefix = 't'): Promise<string> {
  const base = process.env.WARDEN_TEST_PG_URL;
  if (!base) throw new Error('WARDEN_TEST_PG_URL missing: run tests through jest (global setup starts PostgreSQL)');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  databaseUrl: string;
  clock: ManualClock;
  /** Calls the API over real HTTP; `token` defaults to the admin token. */
  http<T = any>(method: string, path: string, body?: unknown, options?: { token?: string | null; headers?: Record<string, string>; raw?: string }): Promise<HttpResult<T>>;
  /** Mints a token with that role (optionally bound) through the admin API. */
  token(role: Role, binding?: { engines?: string[]; domains?: string[]; identities?: string[]; name?: string }): Promise<string>;
  /** Raw SQL against the app's database. */
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  databaseUrl?: string;
  clock?: ManualClock;
  goLiveMiddleware?: boolean;
  imports?: CreateAppOptions['imports'];
  logDestination?: CreateAppOptions['logDestination'];
  /** A fixed port (default: any free one), for tests that must name Warden's address in its own config (WARDEN_PUBLIC_URL). */
  port?: number;
}

/** The real app, on a real port, against a real PostgreSQL database. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    WARDEN_BOOTSTRAP_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    JOB_TICK_MS: '3600000',
    // The suite checks behaviour, not latency: on a loaded two-core machine (another test file's 500
    // concurrent reserves, a build) a statement can wait seconds for a core, and the production
    // bounds would turn that into 503s. Tests of those bounds pass PRODUCTION_DB_TIMEOUTS.
    ...TEST_DB_TIMEOUTS,
    ...options.env,
  });
  const clock = options.clock ?? new ManualClock(new Date());
  const app = await createApp({ config, clock: clock as Clock, goLiveMiddleware: options.goLiveMiddleware, imports: options.imports, logDestination: options.logDestination });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // An idle connection the server ends (a test stopping its database) is not a test failure.
  pool.on('error', () => undefined);

  const http: TestApp['http'] = async (method, path, body, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined = opts.raw;
    if (body !== undefined && payload === undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (metrics, docs)
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };

  return {
    app,
    url,
    databaseUrl,
    clock,
    http,
    async token(role, binding = {}) {
      const res = await http('POST', '/api/governance/tokens', { name: `${role}-${randomBytes(3).toString('hex')}`, role, ...binding });
      if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    async sql(text, params = []) {
      return (await pool.query(text, params as unknown[])).rows;
    },
    async close() {
      try {
        await pool.end();
      } finally {
        await app.close();
      }
    },
  };
}
