import type { EntityManager } from 'typeorm';
import { POLICY_DEFAULTS } from './heimdall.constants.js';

/**
 * The original stack's Heimdall charter: four AI domains, none allowed in production until an
 * operator says so (POLICY_DEFAULTS: prod use disabled, a window of today only).
 */
export const HEIMDALL_SEEDED_POLICIES = [
  { domain: 'WHOLESALE_OFFER', min_confidence: '0.92', min_trials: 75, min_success_rate: '0.82' },
  { domain: 'BUYER_MATCH', min_confidence: '0.90', min_trials: 50, min_success_rate: '0.80' },
  { domain: 'CAPITAL_ROUTE', min_confidence: '0.95', min_trials: 100, min_success_rate: '0.85' },
  { domain: 'FOLLOWUP_NEXT_ACTION', min_confidence: '0.90', min_trials: 60, min_success_rate: '0.80' },
] as const;

/**
 * Idempotent: DO NOTHING on an existing domain, so an operator's later change (e.g.
 * prod_use_enabled) survives every restart. Runs before the Nest app exists, hence raw SQL here
 * rather than the repository (it imports nothing from the platform, which runs it).
 */
export const heimdallPoliciesSeed = {
  name: 'heimdall-policies',
  async run(manager: EntityManager): Promise<void> {
    for (const p of HEIMDALL_SEEDED_POLICIES) {
      await manager.query(
        `INSERT INTO heimdall_policy (domain, min_confidence, min_trials, min_success_rate, prod_use_enabled, window_days, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, 'seed') ON CONFLICT (domain) DO NOTHING`,
        [p.domain, p.min_confidence, p.min_trials, p.min_success_rate, POLICY_DEFAULTS.prod_use_enabled, POLICY_DEFAULTS.window_days],
      );
    }
  },
};

/** The lever's seeds, in order. */
export const HEIMDALL_SEEDS = [heimdallPoliciesSeed];
