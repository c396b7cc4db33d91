import type { DataSource } from 'typeorm';
import { ALL_MIGRATIONS } from '../../../../migrations/index.js';
import { ALL_SEEDS } from '../../../../seeds/index.js';

export { ALL_MIGRATIONS, ALL_SEEDS };

export type { SeedDefinition as Seed } from "../../../../seeds/index.js";

export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}

export async function runSeeds(dataSource: DataSource): Promise<string[]> {
  await dataSource.transaction(async (manager) => {
    for (const seed of ALL_SEEDS) await seed.run(manager);
  });
  return ALL_SEEDS.map((s) => s.name);
}
