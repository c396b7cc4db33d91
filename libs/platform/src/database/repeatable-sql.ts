import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { sqlRows } from './sql.js';

/**
 * A repeatable SQL file (Flyway's `R__`): a definition that may be applied again and again, such as
 * a `CREATE OR REPLACE FUNCTION`. Its text is the single source of that object; it is applied after
 * the versioned migrations whenever its checksum differs from the one recorded.
 */
export interface RepeatableSql {
  /** Stable name, recorded in schema_repeatable (e.g. the function's name). */
  name: string;
  sql: string;
}

/** Any fixed number: every instance serializes its repeatable step on it. */
const REPEATABLE_LOCK = 7_637_000_700;

export function repeatableChecksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/**
 * Applies each file whose sha256 differs from the one recorded in `schema_repeatable` (created by
 * migration 1763700000700), in list order, all in one transaction under an advisory lock: instances
 * starting together apply a file once, and a file that fails leaves every definition as it was.
 * Returns the names applied. Signature changes (a function's arguments or result) are a versioned
 * migration's job: it drops the old function, and the repeatable file creates the new one.
 */
export async function applyRepeatableSql(dataSource: DataSource, files: readonly RepeatableSql[]): Promise<string[]> {
  if (files.length === 0) return [];
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT pg_advisory_xact_lock($1)`, [REPEATABLE_LOCK]);
    const recorded = new Map(
      (await sqlRows<{ name: string; checksum: string }>(manager, `SELECT name, checksum FROM schema_repeatable`)).map((r) => [r.name, r.checksum]),
    );
    const applied: string[] = [];
    for (const file of files) {
      const checksum = repeatableChecksum(file.sql);
      if (recorded.get(file.name) === checksum) continue;
      await manager.query(file.sql);
      await manager.query(
        `INSERT INTO schema_repeatable (name, checksum, applied_at) VALUES ($1, $2, now())
         ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = EXCLUDED.applied_at`,
        [file.name, checksum],
      );
      applied.push(file.name);
    }
    return applied;
  });
}
