import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type ReservationStatus = 'reserved' | 'expired' | 'settled' | 'voided';

/**
 * Risk held for one action on its UTC day until it is settled or voided. Past its TTL it becomes
 * `expired` and still counts as open risk: a reservation never frees capacity by itself.
 */
@Entity({ name: 'risk_reservation' })
@Index('ux_risk_reservation_correlation', ['correlationId'], { unique: true })
export class RiskReservationEntity {
  @PrimaryColumn({ type: 'uuid', name: 'id' }) id: string;
  @Column({ type: 'text', name: 'correlation_id' }) correlationId: string;
  @Column({ type: 'date', name: 'day' }) day: string;
  @Column({ type: 'text', name: 'engine' }) engine: string;
  @Column({ type: 'numeric', precision: 19, scale: 4, name: 'amount' }) amount: string;
  @Column({ type: 'text', name: 'status' }) status: ReservationStatus;
  @Column({ type: 'text', name: 'reason', nullable: true }) reason: string | null;
  @Column({ type: 'text', array: true, name: 'observed_reason_codes' }) observedReasonCodes: string[];
  @Column({ type: 'text', name: 'principal' }) principal: string;
  @Column({ type: 'text', name: 'request_digest' }) requestDigest: string;
  @Column({ type: 'timestamptz', name: 'reserved_at' }) reservedAt: Date;
  @Column({ type: 'timestamptz', name: 'expires_at' }) expiresAt: Date;
  @Column({ type: 'numeric', precision: 19, scale: 4, name: 'realized_loss', nullable: true }) realizedLoss: string | null;
  @Column({ type: 'timestamptz', name: 'closed_at', nullable: true }) closedAt: Date | null;
  @Column({ type: 'text', name: 'closed_by', nullable: true }) closedBy: string | null;
  @Column({ type: 'text', name: 'close_reason', nullable: true }) closeReason: string | null;
}
