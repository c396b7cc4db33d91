import { jest } from '@jest/globals';
import { Logger, type LoggerService } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { DataSource, QueryFailedError } from 'typeorm';
import { ConfigError, createPino, loadConfig, redactUrl, toErrorBody } from '#platform';
import { buildDist } from './support/build.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const SECRET_TOKEN = 'tiny-s3cret-x';
const SECRET_PASSWORD = 'Hunter2-pa55word';

describe('configuration booleans', () => {
  it('accept 1/0, true/false, yes/no, on/off in any case, and nothing else', () => {
    expect(loadConfig({ GO_LIVE_ENFORCE: '0' }).goLiveEnforced).toBe(false);
    expect(loadConfig({ GO_LIVE_ENFORCE: 'off' }).goLiveEnforced).toBe(false);
    expect(loadConfig({ GO_LIVE_ENFORCE: 'No' }).goLiveEnforced).toBe(false);
    expect(loadConfig({ GO_LIVE_ENFORCE: 'FALSE' }).goLiveEnforced).toBe(false);
    for (const yes of ['1', 'true', 'YES', 'On']) expect(loadConfig({ GO_LIVE_ENFORCE: yes }).goLiveEnforced).toBe(true);
    expect(loadConfig({ JOBS_ENABLED: '0' }).JOBS_ENABLED).toBe(false);
    expect(loadConfig({}).JOBS_ENABLED).toBe(true);
    expect(() => loadConfig({ GO_LIVE_ENFORCE: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({ GO_LIVE_ENFORCE: 'maybe' })).toThrow(/GO_LIVE_ENFORCE/);
    expect(() => loadConfig({ JOBS_ENABLED: 'enabled' })).toThrow(/JOBS_ENABLED/);
  });

  it('every bad variable is named at once; the timeouts have defaults inside the go-live bound', () => {
    expect(() => loadConfig({ PORT: 'eighty', DB_STATEMENT_TIMEOUT_MS: '1e3' })).toThrow(/PORT[\s\S]*DB_STATEMENT_TIMEOUT_MS/);
    const c = loadConfig({});
    expect(c.DB_POOL_ACQUIRE_TIMEOUT_MS + c.DB_STATEMENT_TIMEOUT_MS + 250).toBeLessThanOrEqual(c.GO_LIVE_CACHE_BOUND_MS);
    expect(c.DB_LOCK_TIMEOUT_MS).toBeLessThanOrEqual(c.DB_STATEMENT_TIMEOUT_MS);
  });

  describe('JOBS_ENABLED=0 in a running app', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { JOBS_ENABLED: '0' } });
    });
    afterAll(async () => {
      await t?.close();
    });
    it('disables the jobs (the checklist says so)', async () => {
      const checklist = await t.http('GET', '/api/governance/go-live/checklist');
      expect(checklist.body.required.backend_complete).toMatchObject({ ok: false, detail: expect.stringContaining('JOBS_ENABLED=0') });
    });
  });
});

describe('secrets never reach the output', () => {
  it('a short bootstrap token and a bad DATABASE_URL stop the start by name, without their values', async () => {
    for (const url of [`mysql://warden:${SECRET_PASSWORD}@db/warden`, `postgres://warden:${SECRET_PASSWORD}@db:port/warden`]) {
      const message = (() => {
        try {
          loadConfig({ WARDEN_BOOTSTRAP_TOKEN: SECRET_TOKEN, DATABASE_URL: url });
        } catch (err) {
          return (err as Error).message;
        }
        return 'no error';
      })();
      expect(message).toContain('WARDEN_BOOTSTRAP_TOKEN must be at least 16 characters');
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('***');
      expect(message).not.toContain(SECRET_TOKEN);
      expect(message).not.toContain(SECRET_PASSWORD);
    }
    expect(redactUrl(`postgres://u:${SECRET_PASSWORD}@h:5432/d?password=x`)).toBe('postgres://u:***@h:5432/d?password=***');
  });

  it('the real binary prints the variable names and exits 2, never the secrets', async () => {
    buildDist();
    const { NODE_OPTIONS: _jest, ...env } = process.env;
    const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
      env: { ...env, WARDEN_BOOTSTRAP_TOKEN: SECRET_TOKEN, DATABASE_URL: `postgres://warden:${SECRET_PASSWORD}@db:port/warden`, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(2);
      expect(output).toMatch(/WARDEN_BOOTSTRAP_TOKEN must be at least 16 characters/);
      expect(output).toMatch(/DATABASE_URL .*postgres:\/\/warden:\*\*\*@/);
      expect(output).not.toContain(SECRET_TOKEN);
      expect(output).not.toContain(SECRET_PASSWORD);
    } finally {
      child.kill('SIGKILL');
    }
  });

  describe('a failed query', () => {
    let t: TestApp;
    const lines: string[] = [];
    const capture: LoggerService = {
      log: (m: unknown) => lines.push(JSON.stringify(m)),
      error: (m: unknown, ...rest: unknown[]) => lines.push(JSON.stringify([m, ...rest])),
      warn: (m: unknown, ...rest: unknown[]) => lines.push(JSON.stringify([m, ...rest])),
      debug: (m: unknown) => lines.push(JSON.stringify(m)),
      verbose: (m: unknown) => lines.push(JSON.stringify(m)),
    };
    const consoleSpies: Array<{ mockRestore(): void }> = [];
    beforeAll(async () => {
      t = await startTestApp();
      Logger.overrideLogger(capture);
      // TypeORM's own loggers write to the console: capture that too.
      for (const method of ['log', 'info', 'warn', 'error'] as const) {
        consoleSpies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))));
      }
    });
    afterAll(async () => {
      for (const spy of consoleSpies) spy.mockRestore();
      Logger.overrideLogger(false);
      await t?.close();
    });

    it('is logged with its code and SQL, never its parameters (query logger, error filter, pino serializer)', async () => {
      const secret = 'param-s3cret-value';
      const dataSource = t.app.get(DataSource);
      const err = await dataSource.query('SELECT $1::text AS a, 1 / 0 AS b', [secret]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueryFailedError);
      const body = toErrorBody(err, new Logger('errors'));
      expect(body.statusCode).toBe(500);
      const logged = lines.join('\n');
      expect(logged).toContain('22012');
      expect(logged).toContain('1 / 0');
      expect(logged).not.toContain(secret);

      let pinoOut = '';
      const sink = new Writable({
        write(chunk, _enc, done) {
          pinoOut += chunk.toString();
          done();
        },
      });
      createPino('info', sink).error({ err }, 'query failed');
      expect(pinoOut).toContain('division by zero');
      expect(pinoOut).not.toContain(secret);
    });
  });
});
