import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import pg from 'pg';
import { EmbeddedPostgresSetupError, type Log } from './embedded-data-dir.js';

/** The superuser initdb creates: owns the schema, runs migrations and seeds. */
export const OWNER_ROLE = 'postgres';
/** The role the application's pool connects as: DML only, owns nothing. */
export const APP_ROLE = 'warden_app';
export const CREDENTIALS_FILE = 'warden-credentials.json';
/**
 * The password data directories created before generated credentials existed were initialised
 * with. Only ever used to log in once and replace it; never given to a new server.
 */
const LEGACY_PASSWORD = 'warden';

export interface EmbeddedCredentials {
  owner: { user: string; password: string };
  app: { user: string; password: string };
}

export const credentialsPath = (dataDir: string): string => resolve(dataDir, CREDENTIALS_FILE);

/** Hex keeps the password URL-safe; 32 random bytes are beyond guessing over a loopback socket. */
const newPassword = (): string => randomBytes(32).toString('hex');

export function newCredentials(): EmbeddedCredentials {
  return { owner: { user: OWNER_ROLE, password: newPassword() }, app: { user: APP_ROLE, password: newPassword() } };
}

export function urlFor(role: { user: string; password: string }, port: number): string {
  return `postgres://${role.user}:${role.password}@127.0.0.1:${port}/postgres`;
}

/** Reads the data directory's credentials; a file readable by others is narrowed to 0600 and reported. */
export async function readCredentials(dataDir: string, log: Log): Promise<EmbeddedCredentials | null> {
  const file = credentialsPath(dataDir);
  if (!existsSync(file)) return null;
  const mode = (await stat(file)).mode & 0o777;
  if (mode & 0o077) {
    log(`${file} was readable by others (mode ${mode.toString(8)}); narrowed to 0600`, 'warn');
    await chmod(file, 0o600);
  }
  const parsed = JSON.parse(await readFile(file, 'utf8')) as EmbeddedCredentials;
  if (!parsed?.owner?.password || !parsed?.app?.password) throw new EmbeddedPostgresSetupError(`${file} is not a Warden credentials file (owner and app passwords expected)`);
  return parsed;
}

/** Written to a temporary name then renamed, so a crash never leaves half a file. */
export async function writeCredentials(dataDir: string, credentials: EmbeddedCredentials): Promise<void> {
  const file = credentialsPath(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600, flag: 'w' });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

const isAuthFailure = (err: unknown): boolean => ['28P01', '28000'].includes((err as { code?: string }).code ?? '');

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'warden-setup' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}

/**
 * Logs in as the owner with the stored password. A data directory from before generated
 * credentials still has the built-in password: log in with it once and replace it, so an
 * existing .warden keeps its data and stops being open to every local user.
 */
export async function connectOwner(port: number, credentials: EmbeddedCredentials, log: Log): Promise<pg.Client> {
  try {
    return await connect(urlFor(credentials.owner, port));
  } catch (err) {
    if (!isAuthFailure(err)) throw err;
  }
  let client: pg.Client;
  try {
    client = await connect(urlFor({ user: OWNER_ROLE, password: LEGACY_PASSWORD }, port));
  } catch (err) {
    if (!isAuthFailure(err)) throw err;
    throw new EmbeddedPostgresSetupError(
      `the embedded PostgreSQL on port ${port} rejects the owner password stored in its credentials file. ` +
        'Restore the credentials file from a backup, or move the data directory away to start afresh (its data is then not used).',
    );
  }
  await client.query(`ALTER ROLE ${OWNER_ROLE} PASSWORD ${client.escapeLiteral(credentials.owner.password)}`);
  log(`replaced the embedded PostgreSQL's built-in password with a generated one (kept in ${CREDENTIALS_FILE}, mode 0600)`, 'warn');
  return client;
}

/**
 * The application's role: it may read and write rows and nothing else. It owns no table, so it
 * cannot disable a trigger (the append-only audit log), ALTER, DROP or TRUNCATE; it is no
 * superuser and has no pg_execute_server_program, so COPY ... TO PROGRAM is refused. Default
 * privileges give it the same rights on every table a later migration creates as the owner.
 * Idempotent: run at every start, it also re-asserts the password from the credentials file.
 */
export async function provisionAppRole(owner: pg.Client, credentials: EmbeddedCredentials): Promise<void> {
  const app = pg.escapeIdentifier(credentials.app.user);
  const ownerRole = pg.escapeIdentifier(credentials.owner.user);
  const exists = await owner.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [credentials.app.user]);
  if (exists.rowCount === 0) await owner.query(`CREATE ROLE ${app}`);
  await owner.query(`
    ALTER ROLE ${app} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT
      PASSWORD ${owner.escapeLiteral(credentials.app.password)};
    GRANT CONNECT ON DATABASE postgres TO ${app};
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    GRANT USAGE ON SCHEMA public TO ${app};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${app};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${app};
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${app};
    ALTER DEFAULT PRIVILEGES FOR ROLE ${ownerRole} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app};
    ALTER DEFAULT PRIVILEGES FOR ROLE ${ownerRole} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${app};
    ALTER DEFAULT PRIVILEGES FOR ROLE ${ownerRole} IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO ${app};
  `);
}
