import type { EntityManager } from 'typeorm';
import { heimdallPoliciesSeed } from './heimdall-policies.seed.js';
import { riskPoliciesSeed } from './risk-policies.seed.js';
import { regressionPoliciesSeed } from '../libs/regression-tripwire/src/regression-tripwire.seed.js'; // not '#regression-tripwire' while the platform imports seeds/: that import would close a cycle

export interface SeedDefinition {
  name: string;
  run(manager: EntityManager): Promise<void>;
}

/** Idempotent reference data, run at every start after the migrations. */
export const ALL_SEEDS: SeedDefinition[] = [riskPoliciesSeed, heimdallPoliciesSeed, regressionPoliciesSeed];
