import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type RiskEventKind = 'reserve' | 'settle' | 'void' | 'expire' | 'day_close';

/**
 * The append-only record of every risk decision (a trigger rejects UPDATE, DELETE and TRUNCATE).
 * The `reserve` event of a correlation_id is also its idempotency record.
 */
@Entity({ name: 'risk_event' })
@Index('ix_risk_event_engine', ['engine', 'id'])
export class RiskEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', name: 'id' }) id: string;
  @Column({ type: 'timestamptz', name: 'at' }) at: Date;
  @Column({ type: 'date', name: 'day' }) day: string;
  @Column({ type: 'text', name: 'engine' }) engine: string;
  @Column({ type: 'text', name: 'kind' }) kind: RiskEventKind;
  @Column({ type: 'text', name: 'outcome' }) outcome: string;
  @Column({ type: 'text', name: 'correlation_id', nullable: true }) correlationId: string | null;
  @Column({ type: 'uuid', name: 'reservation_id', nullable: true }) reservationId: string | null;
  @Column({ type: 'numeric', precision: 19, scale: 4, name: 'amount', nullable: true }) amount: string | null;
  @Column({ type: 'numeric', precision: 19, scale: 4, name: 'realized_loss', nullable: true }) realizedLoss: string | null;
  @Column({ type: 'text', array: true, name: 'reason_codes' }) reasonCodes: string[];
  @Column({ type: 'text', name: 'reason', nullable: true }) reason: string | null;
  @Column({ type: 'text', name: 'principal' }) principal: string;
  @Column({ type: 'text', name: 'request_digest', nullable: true }) requestDigest: string | null;
  @Column({ type: 'jsonb', name: 'details', nullable: true }) details: Record<string, unknown> | null;
}
