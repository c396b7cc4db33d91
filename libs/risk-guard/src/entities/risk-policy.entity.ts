import { Column, Entity, PrimaryColumn } from 'typeorm';

export type EnforcementMode = 'enforce' | 'observe';

/** One engine's caps (GLOBAL is a policy like any engine). A null cap is unlimited; 0 allows nothing. */
@Entity({ name: 'risk_policy' })
export class RiskPolicyEntity {
  @PrimaryColumn({ type: 'text', name: 'engine' }) engine: string;
  @Column({ type: 'boolean', name: 'enabled' }) enabled: boolean;
  @Column({ type: 'numeric', precision: 19, scale: 4, name: 'max_daily_exposure', nullable: true }) maxDailyExposure: string | null;
  @Column({ type: 'numeric', precision: 19, scale: 4, name: 'max_open_risk', nullable: true }) maxOpenRisk: string | null;
  @Column({ type: 'numeric', precision: 19, scale: 4, name: 'max_daily_loss', nullable: true }) maxDailyLoss: string | null;
  @Column({ type: 'integer', name: 'max_actions_per_day', nullable: true }) maxActionsPerDay: number | null;
  @Column({ type: 'integer', name: 'reservation_ttl_seconds' }) reservationTtlSeconds: number;
  @Column({ type: 'text', name: 'enforcement_mode' }) enforcementMode: EnforcementMode;
  /** A settle books at most the reserved amount times this. */
  @Column({ type: 'numeric', precision: 19, scale: 4, name: 'max_loss_multiple', default: 1 }) maxLossMultiple: string;
  @Column({ type: 'text', name: 'disabled_reason', nullable: true }) disabledReason: string | null;
  @Column({ type: 'text', name: 'updated_by' }) updatedBy: string;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}
