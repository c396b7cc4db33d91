import type { EntityManager } from 'typeorm';
import { heimdallPoliciesSeed } from '../libs/heimdall/src/heimdall.seed.js'; // not '#heimdall': the platform loads this list, and the lever's index loads the platform (an import cycle)
import { riskPoliciesSeed } from './risk-policies.seed.js';
import { regressionPoliciesSeed } from './regression-policies.seed.js';

export interface SeedDefinition {
  name: string;
  run(manager: EntityManager): Promise<void>;
}

/** Idempotent reference data, run at every start after the migrations. */
export const ALL_SEEDS: SeedDefinition[] = [riskPoliciesSeed, heimdallPoliciesSeed, regressionPoliciesSeed];
