import { Column, Entity, PrimaryColumn } from 'typeorm';

export type RegressionAction = 'THROTTLE' | 'KILL_SWITCH' | 'ALERT';
export const REGRESSION_ACTIONS: readonly RegressionAction[] = ['THROTTLE', 'KILL_SWITCH', 'ALERT'];

/** One tripwire per domain+metric (migration RegressionTripwire). */
@Entity({ name: 'regression_policy' })
export class RegressionPolicyEntity {
  @PrimaryColumn({ type: 'text', name: 'domain' }) domain: string;
  @PrimaryColumn({ type: 'text', name: 'metric' }) metric: string;
  @Column({ type: 'boolean', name: 'enabled', default: false }) enabled: boolean;
  /** Current = the newest `window_events` events. */
  @Column({ type: 'integer', name: 'window_events', default: 50 }) windowEvents: number;
  /** Baseline = the `baseline_events` events before them. */
  @Column({ type: 'integer', name: 'baseline_events', default: 200 }) baselineEvents: number;
  @Column({ type: 'integer', name: 'min_events', default: 50 }) minEvents: number;
  @Column({ type: 'double precision', name: 'max_drop_fraction' }) maxDropFraction: number;
  @Column({ type: 'text', name: 'action' }) action: RegressionAction;
  @Column({ type: 'text', name: 'target_engine' }) targetEngine: string;
  /** null: plain threshold; else the drop must also be significant at alpha. */
  @Column({ type: 'double precision', name: 'alpha', nullable: true }) alpha: number | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
  @Column({ type: 'text', name: 'updated_by' }) updatedBy: string;
}
