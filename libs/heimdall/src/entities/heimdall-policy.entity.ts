import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The gates of one AI domain. Ratios are exact decimals in [0, 1]; prod use is off until an operator turns it on. */
@Entity({ name: 'heimdall_policy' })
export class HeimdallPolicyEntity {
  @PrimaryColumn({ type: 'text', name: 'domain' }) domain: string;
  @Column({ type: 'numeric', name: 'min_confidence' }) minConfidence: string;
  @Column({ type: 'integer', name: 'min_trials' }) minTrials: number;
  @Column({ type: 'numeric', name: 'min_success_rate' }) minSuccessRate: string;
  @Column({ type: 'boolean', name: 'prod_use_enabled', default: false }) prodUseEnabled: boolean;
  @Column({ type: 'integer', name: 'window_days', default: 1 }) windowDays: number;
  @Column({ type: 'text', name: 'updated_by' }) updatedBy: string;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
  @Column({ type: 'bigint', name: 'version' }) version: string;
}
