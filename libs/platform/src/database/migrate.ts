import type { DataSource, EntityManager, MigrationInterface } from 'typeorm';
import { applyRepeatableSql, type RepeatableSql } from './repeatable-sql.js';

/** Idempotent reference data (a lever's policies), run after the migrations at every start. */
export interface Seed {
  name: string;
  run(manager: EntityManager): Promise<void>;
}

/**
 * What the apps hand to the platform (`PlatformModule.forRoot`): the versioned migrations, the
 * repeatable SQL files and the seeds. The platform imports none of them: dependencies point one way.
 */
export interface DatabaseSchema {
  migrations: ReadonlyArray<new () => MigrationInterface>;
  repeatableSql?: readonly RepeatableSql[];
  seeds?: readonly Seed[];
}

/** The versioned migrations (those of the data source), then the repeatable SQL files whose text changed (Flyway's order). */
export async function runMigrations(dataSource: DataSource, schema: Pick<DatabaseSchema, 'repeatableSql'>): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  const repeatable = await applyRepeatableSql(dataSource, schema.repeatableSql ?? []);
  return [...applied.map((m) => m.name), ...repeatable.map((name) => `repeatable:${name}`)];
}

export async function runSeeds(dataSource: DataSource, seeds: readonly Seed[]): Promise<string[]> {
  await dataSource.transaction(async (manager) => {
    for (const seed of seeds) await seed.run(manager);
  });
  return seeds.map((s) => s.name);
}
