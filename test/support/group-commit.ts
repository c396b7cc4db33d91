import pg from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Helpers for the group-commit specs: hold a table lock so that callers pile up behind one batch in
 * flight (the next batch then holds them all, deterministically), and record the statements a
 * group commit sends (the real DataSource, wrapped, never mocked).
 */

/** Opens a transaction holding `LOCK TABLE <table> IN <mode> MODE`; `release()` commits it. */
export async function holdTableLock(databaseUrl: string, table: string, mode: string): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ${mode} MODE`);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
    },
  };
}

/** Polls until `check` is true (the test's own timeout bounds it). */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Backends of this database waiting for a lock. */
export async function lockWaiters(sql: (text: string) => Promise<Array<{ n: number }>>): Promise<number> {
  return (await sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`))[0].n;
}

/** Records the parameters of every statement whose text contains `marker`, sent through `ds` until `stop()`. */
export function recordStatements(ds: DataSource, marker: string): { params: unknown[][]; stop: () => void } {
  const original = ds.query;
  const params: unknown[][] = [];
  ds.query = function (this: DataSource, text: string, parameters?: unknown[], ...rest: unknown[]) {
    if (text.includes(marker)) params.push(parameters ?? []);
    return (original as (...args: unknown[]) => Promise<unknown>).call(this, text, parameters, ...rest);
  } as DataSource['query'];
  return { params, stop: () => void (ds.query = original) };
}
