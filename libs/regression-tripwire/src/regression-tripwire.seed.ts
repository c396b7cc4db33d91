import type { EntityManager } from 'typeorm';
import {
  DEFAULT_ALPHA,
  DEFAULT_BASELINE_EVENTS,
  DEFAULT_MIN_EVENTS,
  DEFAULT_WINDOW_EVENTS,
  type RegressionAction,
} from './regression-tripwire.constants.js';

/**
 * The original stack's four tripwires, all disabled (safe default: an operator enables each), with
 * the lever's defaults: windows 50 vs 200, at least 50 events each side, DEFAULT_ALPHA (chosen by the
 * simulation in docs/regression-tripwire.md, "False alarms vs detection"). The target engine is the domain.
 */
export const REGRESSION_POLICY_SEED: ReadonlyArray<{ domain: string; metric: string; maxDrop: number; action: RegressionAction }> = [
  { domain: 'WHOLESALE', metric: 'contract_rate', maxDrop: 0.2, action: 'THROTTLE' },
  { domain: 'WHOLESALE', metric: 'offer_accept_rate', maxDrop: 0.15, action: 'THROTTLE' },
  { domain: 'BUYER_MATCH', metric: 'match_success', maxDrop: 0.25, action: 'THROTTLE' },
  { domain: 'CAPITAL', metric: 'roi_event', maxDrop: 0.3, action: 'KILL_SWITCH' },
];

/** Idempotent: a policy already present (seeded or changed by an operator) is left as it is. */
export const regressionPoliciesSeed = {
  name: 'regression-policies',
  async run(manager: EntityManager): Promise<void> {
    for (const p of REGRESSION_POLICY_SEED) {
      await manager.query(
        `INSERT INTO regression_policy (domain, metric, enabled, window_events, baseline_events, min_events, max_drop_fraction, action, target_engine, alpha, updated_by)
         VALUES ($1, $2, false, $3, $4, $5, $6, $7, $1, $8, 'seed')
         ON CONFLICT (domain, metric) DO NOTHING`,
        [p.domain, p.metric, DEFAULT_WINDOW_EVENTS, DEFAULT_BASELINE_EVENTS, DEFAULT_MIN_EVENTS, p.maxDrop, p.action, DEFAULT_ALPHA],
      );
    }
  },
};

/** The lever's seeds, in order (handed to the platform by the app). */
export const REGRESSION_TRIPWIRE_SEEDS = [regressionPoliciesSeed];
