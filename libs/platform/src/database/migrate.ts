import type { DataSource } from 'typeorm';
import { ALL_MIGRATIONS } from '../../../../migrations/index.js';
import { ALL_REPEATABLE_SQL } from '../../../../migrations/repeatable.js';
import { ALL_SEEDS } from '../../../../seeds/index.js';
import { applyRepeatableSql } from './repeatable-sql.js';

export { ALL_MIGRATIONS, ALL_SEEDS };

export type { SeedDefinition as Seed } from "../../../../seeds/index.js";

/** The versioned migrations, then the repeatable SQL files whose text changed (Flyway's order). */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  const repeatable = await applyRepeatableSql(dataSource, ALL_REPEATABLE_SQL);
  return [...applied.map((m) => m.name), ...repeatable.map((name) => `repeatable:${name}`)];
}

export async function runSeeds(dataSource: DataSource): Promise<string[]> {
  await dataSource.transaction(async (manager) => {
    for (const seed of ALL_SEEDS) await seed.run(manager);
  });
  return ALL_SEEDS.map((s) => s.name);
}
