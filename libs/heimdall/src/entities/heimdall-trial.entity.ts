import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One sandbox trial (append-only): did the recommendation work, and how confident was the engine. */
@Entity({ name: 'heimdall_trial' })
@Index('ix_heimdall_trial_domain_day', ['domain', 'day'])
export class HeimdallTrialEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id' }) id: string;
  /** The UTC day of the injected clock when the trial was recorded. */
  @Column({ type: 'date', name: 'day' }) day: string;
  @Column({ type: 'text', name: 'domain' }) domain: string;
  @Column({ type: 'boolean', name: 'success' }) success: boolean;
  @Column({ type: 'numeric', name: 'confidence' }) confidence: string;
  @Column({ type: 'uuid', name: 'recommendation_id', nullable: true }) recommendationId: string | null;
  @Column({ type: 'text', name: 'correlation_id', nullable: true }) correlationId: string | null;
  @Column({ type: 'text', name: 'request_digest' }) requestDigest: string;
  @Column({ type: 'text', name: 'recorded_by' }) recordedBy: string;
  @Column({ type: 'timestamptz', name: 'recorded_at' }) recordedAt: Date;
}
