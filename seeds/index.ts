import type { EntityManager } from 'typeorm';
// Each lever's own seed file, not its index: the platform imports this list while it loads, and a
// lever's index imports the platform (an import cycle).
import { heimdallPoliciesSeed } from '../libs/heimdall/src/heimdall.seed.js';
import { regressionPoliciesSeed } from '../libs/regression-tripwire/src/regression-tripwire.seed.js';
import { RISK_GUARD_SEEDS } from '../libs/risk-guard/src/risk-guard.seed.js';

export interface SeedDefinition {
  name: string;
  run(manager: EntityManager): Promise<void>;
}

/** Idempotent reference data, run at every start after the migrations. */
export const ALL_SEEDS: SeedDefinition[] = [...RISK_GUARD_SEEDS, heimdallPoliciesSeed, regressionPoliciesSeed];
