import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { buildDist } from './support/build.js';
import { createTestDatabase } from './support/test-app.js';

const run = promisify(execFile);

describe('warden CLI (shares the app data source and config)', () => {
  let databaseUrl: string;
  const warden = (...args: string[]) => run(process.execPath, ['bin/warden.mjs', ...args], { env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' } });
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
  });

  it('migrate applies every migration once, then reports up to date', async () => {
    expect((await warden('migrate')).stdout).toMatch(/applied: Platform/);
    expect((await warden('migrate')).stdout).toMatch(/up to date/);
    const [{ n }] = await query(`SELECT count(*)::int AS n FROM schema_migrations`);
    expect(n).toBeGreaterThanOrEqual(3);
  });

  it('seed is idempotent', async () => {
    await warden('seed');
    await warden('seed');
    expect((await warden('seed')).stdout).toMatch(/seeds run/);
  });

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
  });

  it('bad input exits non-zero and changes nothing', async () => {
    const [{ n: before }] = await query(`SELECT count(*)::int AS n FROM api_token`);
    await expect(warden('token', 'create', '--role', 'root')).rejects.toMatchObject({ code: 1 });
    await expect(warden('token', 'create', '--role', 'engine', '--engine', 'bad-name!')).rejects.toMatchObject({ code: 6 });
    await expect(warden('token', 'revoke', '00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ code: 4 });
    const [{ n: after }] = await query(`SELECT count(*)::int AS n FROM api_token`);
    expect(after).toBe(before);
  });
});
