import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type HeimdallEventKind = 'recommendation.created' | 'recommendation.checked' | 'policy.upserted' | 'scorecard.closed';

/** Every Heimdall decision, allowed or refused, written in the transaction that took it (append-only). */
@Entity({ name: 'heimdall_event' })
@Index('ix_heimdall_event_domain_id', ['domain', 'id'])
export class HeimdallEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', name: 'id' }) id: string;
  @Column({ type: 'timestamptz', name: 'at' }) at: Date;
  /** The business UTC day the event belongs to (for scorecard.closed: the day closed). */
  @Column({ type: 'date', name: 'day' }) day: string;
  @Column({ type: 'text', name: 'kind' }) kind: HeimdallEventKind;
  @Column({ type: 'text', name: 'domain' }) domain: string;
  @Column({ type: 'uuid', name: 'recommendation_id', nullable: true }) recommendationId: string | null;
  /** gate_pass or the gate reason, for decisions. */
  @Column({ type: 'text', name: 'outcome', nullable: true }) outcome: string | null;
  @Column({ type: 'text', name: 'principal' }) principal: string;
  @Column({ type: 'jsonb', name: 'details' }) details: Record<string, unknown>;
}
