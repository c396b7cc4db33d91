import type { EntityManager } from 'typeorm';

/**
 * Runs raw SQL and returns its rows. TypeORM's `query` answers UPDATE/DELETE ... RETURNING with
 * `[rows, affectedCount]` and SELECT/INSERT with `rows`; this hides the difference.
 */
export async function sqlRows<T = Record<string, unknown>>(
  manager: Pick<EntityManager, 'query'>,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const result: unknown = await manager.query(text, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

export async function sqlOne<T = Record<string, unknown>>(
  manager: Pick<EntityManager, 'query'>,
  text: string,
  params: unknown[] = [],
): Promise<T | undefined> {
  return (await sqlRows<T>(manager, text, params))[0];
}
