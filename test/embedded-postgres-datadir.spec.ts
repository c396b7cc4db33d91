import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { EmbeddedPostgresSetupError, startEmbeddedPostgres, type EmbeddedServer } from '#platform';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT 1 AS one')).rows[0].one;
  } finally {
    await client.end();
  }
}

describe('the embedded data directory and whoever holds it', () => {
  let root: string;
  let dataDir: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'warden-datadir-'));
    await chmod(root, 0o755);
    dataDir = join(root, 'pgdata');
    await (await startEmbeddedPostgres(dataDir)).stop(); // initialised, stopped
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('a stale postmaster.pid naming a live unrelated "postgres" process does not get that process signalled', async () => {
    // An orphaned process (its parent shell has exited, as after a crash) whose command line says
    // "postgres": what PID reuse can put behind a stale pid file.
    const fake = Number(execFileSync('bash', ['-c', '(exec -a postgres sleep 300) >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' }).trim());
    let server: EmbeddedServer | undefined;
    try {
      expect(alive(fake)).toBe(true);
      writeFileSync(join(dataDir, 'postmaster.pid'), `${fake}\n${dataDir}\n${Math.floor(Date.now() / 1000)}\n54329\n\n127.0.0.1\n  5432001         0\nready   \n`);
      server = await startEmbeddedPostgres(dataDir);
      expect(await selectOne(server.url)).toBe(1);
      expect(alive(fake)).toBe(true);
    } finally {
      await server?.stop();
      try {
        process.kill(fake, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('a second server on a data directory a live Warden runs is refused with a clear message; a tool may connect to it', async () => {
    const first = await startEmbeddedPostgres(dataDir);
    try {
      const second = startEmbeddedPostgres(dataDir);
      await expect(second).rejects.toBeInstanceOf(EmbeddedPostgresSetupError);
      await expect(second).rejects.toThrow(/is in use by the embedded PostgreSQL of another running Warden.*stop the other one first/);
      // The CLI's way in: connect to the running server, never stop it.
      const tool = await startEmbeddedPostgres(dataDir, { share: true });
      expect(tool.shared).toBe(true);
      expect(await selectOne(tool.appUrl)).toBe(1);
      await tool.stop();
      expect(await selectOne(first.url)).toBe(1);
    } finally {
      await first.stop();
    }
  });
});

describe('a data directory the postgres OS user cannot reach', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'warden-private-')); // mode 0700, owned by whoever runs the tests
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('as root: fails before initdb with one paragraph naming the directory and the fix, and no stack trace', async () => {
    const start = startEmbeddedPostgres(join(root, 'data', 'pgdata'));
    if (userInfo().uid !== 0) {
      // Not root: the server runs as this user, who owns the directory; nothing to check.
      await (await start).stop();
      return;
    }
    const err = await start.then(() => null, (e: Error) => e);
    expect(err).toBeInstanceOf(EmbeddedPostgresSetupError);
    expect(err!.message).toContain(`'postgres' cannot enter ${root} (mode 700`);
    expect(err!.message).toContain(`chmod o+x ${root}`);
    expect(err!.message).toContain('WARDEN_DATA_DIR');
    expect(err!.stack).toBe(err!.message);
    expect(err!.message).not.toMatch(/initdb|Permission denied/);
  });
});
