import type { EntityManager } from 'typeorm';
import type { SeedDefinition } from './index.js';

/**
 * The original stack's four tripwires, all disabled (safe default: an operator enables each).
 * Windows 50 vs 200, at least 50 events each side; alpha 0.005 — see README, "False alarms vs detection"
 * for the simulation that chose it (kept equal to DEFAULT_ALPHA of the lib; a test checks). The target engine is the domain.
 */
export const REGRESSION_POLICY_SEED: ReadonlyArray<{ domain: string; metric: string; maxDrop: number; action: 'THROTTLE' | 'KILL_SWITCH' }> = [
  { domain: 'WHOLESALE', metric: 'contract_rate', maxDrop: 0.2, action: 'THROTTLE' },
  { domain: 'WHOLESALE', metric: 'offer_accept_rate', maxDrop: 0.15, action: 'THROTTLE' },
  { domain: 'BUYER_MATCH', metric: 'match_success', maxDrop: 0.25, action: 'THROTTLE' },
  { domain: 'CAPITAL', metric: 'roi_event', maxDrop: 0.3, action: 'KILL_SWITCH' },
];

export const DEFAULT_REGRESSION_ALPHA = 0.005;

export const regressionPoliciesSeed: SeedDefinition = {
  name: 'regression-policies',
  async run(manager: EntityManager): Promise<void> {
    for (const p of REGRESSION_POLICY_SEED) {
      await manager.query(
        `INSERT INTO regression_policy (domain, metric, enabled, window_events, baseline_events, min_events, max_drop_fraction, action, target_engine, alpha, updated_by)
         VALUES ($1, $2, false, 50, 200, 50, $3, $4, $1, $5, 'seed')
         ON CONFLICT (domain, metric) DO NOTHING`,
        [p.domain, p.metric, p.maxDrop, p.action, DEFAULT_REGRESSION_ALPHA],
      );
    }
  },
};
