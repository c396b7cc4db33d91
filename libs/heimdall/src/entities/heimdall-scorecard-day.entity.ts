import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Exact per-day counters, bumped in the same statement-level upsert and transaction as each trial:
 * the mean confidence is confidence_sum / trials, never a running mean.
 */
@Entity({ name: 'heimdall_scorecard_day' })
export class HeimdallScorecardDayEntity {
  @PrimaryColumn({ type: 'date', name: 'day' }) day: string;
  @PrimaryColumn({ type: 'text', name: 'domain' }) domain: string;
  @Column({ type: 'bigint', name: 'trials' }) trials: string;
  @Column({ type: 'bigint', name: 'successes' }) successes: string;
  @Column({ type: 'numeric', name: 'confidence_sum' }) confidenceSum: string;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}
