import type { EntityManager } from 'typeorm';
import type { SeedDefinition } from './index.js';

/**
 * The risk policies of the original stack. Enabled (nothing is allowed otherwise) except NOTIFY;
 * no action caps. Inserted once: an operator's later changes are never overwritten.
 */
export const RISK_POLICY_SEED: ReadonlyArray<{ engine: string; loss: string; exposure: string; open: string; enabled: boolean }> = [
  { engine: 'GLOBAL', loss: '250', exposure: '1500', open: '1500', enabled: true },
  { engine: 'WHOLESALE', loss: '200', exposure: '1000', open: '1000', enabled: true },
  { engine: 'CAPITAL', loss: '150', exposure: '750', open: '750', enabled: true },
  { engine: 'NOTIFY', loss: '0', exposure: '0', open: '0', enabled: false },
];

export const riskPoliciesSeed: SeedDefinition = {
  name: 'risk-policies',
  async run(manager: EntityManager): Promise<void> {
    for (const p of RISK_POLICY_SEED) {
      await manager.query(
        `INSERT INTO risk_policy (engine, enabled, max_daily_loss, max_daily_exposure, max_open_risk, max_actions_per_day, disabled_reason, updated_by)
         VALUES ($1, $2, $3, $4, $5, NULL, $6, 'seed') ON CONFLICT (engine) DO NOTHING`,
        [p.engine, p.enabled, p.loss, p.exposure, p.open, p.enabled ? null : 'seeded disabled'],
      );
    }
  },
};
