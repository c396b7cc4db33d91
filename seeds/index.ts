import type { EntityManager } from 'typeorm';
import { heimdallPoliciesSeed } from '../libs/heimdall/src/heimdall.seed.js'; // not '#heimdall': the platform loads this list, and the lever's index loads the platform (an import cycle)
// The lever's own seed file (its index would import #platform while the platform loads the seeds).
import { RISK_GUARD_SEEDS } from '../libs/risk-guard/src/risk-guard.seed.js';
import { regressionPoliciesSeed } from './regression-policies.seed.js';

export interface SeedDefinition {
  name: string;
  run(manager: EntityManager): Promise<void>;
}

/** Idempotent reference data, run at every start after the migrations. */
export const ALL_SEEDS: SeedDefinition[] = [...RISK_GUARD_SEEDS, heimdallPoliciesSeed, regressionPoliciesSeed];
