import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One UTC day of one engine's usage; the GLOBAL row holds the sums over all engines. */
@Entity({ name: 'risk_ledger_day' })
export class RiskLedgerDayEntity {
  @PrimaryColumn({ type: 'date', name: 'day', primaryKeyConstraintName: 'pk_risk_ledger_day' }) day: string;
  @PrimaryColumn({ type: 'text', name: 'engine', primaryKeyConstraintName: 'pk_risk_ledger_day' }) engine: string;
  @Column({ type: 'numeric', name: 'exposure_used' }) exposureUsed: string;
  @Column({ type: 'numeric', name: 'open_risk_reserved' }) openRiskReserved: string;
  @Column({ type: 'numeric', name: 'realized_loss' }) realizedLoss: string;
  @Column({ type: 'bigint', name: 'actions_count' }) actionsCount: string;
  @Column({ type: 'bigint', name: 'denials_count' }) denialsCount: string;
}
