import type { EntityManager } from 'typeorm';
import { GLOBAL_ENGINE } from './risk-guard.constants.js';
import { insertSeedPolicy, type SeedPolicy } from './risk-policy.repository.js';

/**
 * The risk policies of the original stack. Enabled (nothing is allowed otherwise) except NOTIFY;
 * no action caps. Inserted once: an operator's later changes are never overwritten.
 */
export const RISK_POLICY_SEED: readonly SeedPolicy[] = [
  { engine: GLOBAL_ENGINE, loss: '250', exposure: '1500', open: '1500', enabled: true },
  { engine: 'WHOLESALE', loss: '200', exposure: '1000', open: '1000', enabled: true },
  { engine: 'CAPITAL', loss: '150', exposure: '750', open: '750', enabled: true },
  { engine: 'NOTIFY', loss: '0', exposure: '0', open: '0', enabled: false },
];

/** The risk guard's reference data, run at every start after the migrations (idempotent). */
export const RISK_GUARD_SEEDS: ReadonlyArray<{ name: string; run(manager: EntityManager): Promise<void> }> = [
  {
    name: 'risk-policies',
    async run(manager: EntityManager): Promise<void> {
      for (const p of RISK_POLICY_SEED) await insertSeedPolicy(manager, p);
    },
  },
];
