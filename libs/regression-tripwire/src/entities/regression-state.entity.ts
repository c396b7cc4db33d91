import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { RegressionAction } from './regression-policy.entity.js';

export type RegressionStatus = 'never_evaluated' | 'ok' | 'triggered' | 'insufficient_data' | 'disabled';
export type ActionStatus = 'none' | 'pending' | 'done' | 'failed';

/**
 * The latest verdict per domain+metric, whether its trigger's action has fired, and the baseline
 * reset marker: events with id <= reset_event_id no longer count (the Friday reset; nothing is deleted).
 */
@Entity({ name: 'regression_state' })
export class RegressionStateEntity {
  @PrimaryColumn({ type: 'text', name: 'domain' }) domain: string;
  @PrimaryColumn({ type: 'text', name: 'metric' }) metric: string;
  @Column({ type: 'text', name: 'status', default: 'never_evaluated' }) status: RegressionStatus;
  @Column({ type: 'text', name: 'kind', nullable: true }) kind: 'success_rate' | 'mean_value' | null;
  @Column({ type: 'text', name: 'reason', nullable: true }) reason: string | null;
  @Column({ type: 'text', name: 'detail', nullable: true }) detail: string | null;
  @Column({ type: 'double precision', name: 'baseline', nullable: true }) baseline: number | null;
  @Column({ type: 'double precision', name: 'current', nullable: true }) current: number | null;
  @Column({ type: 'double precision', name: 'drop', nullable: true }) drop: number | null;
  @Column({ type: 'double precision', name: 'p_value', nullable: true }) pValue: number | null;
  @Column({ type: 'integer', name: 'n_baseline', default: 0 }) nBaseline: number;
  @Column({ type: 'integer', name: 'n_current', default: 0 }) nCurrent: number;
  @Column({ type: 'timestamptz', name: 'last_evaluated_at', nullable: true }) lastEvaluatedAt: Date | null;
  @Column({ type: 'bigint', name: 'evaluations', default: 0 }) evaluations: string;
  @Column({ type: 'timestamptz', name: 'triggered_at', nullable: true }) triggeredAt: Date | null;
  @Column({ type: 'integer', name: 'trigger_count', default: 0 }) triggerCount: number;
  @Column({ type: 'text', name: 'action', nullable: true }) action: RegressionAction | null;
  @Column({ type: 'text', name: 'action_status', default: 'none' }) actionStatus: ActionStatus;
  @Column({ type: 'timestamptz', name: 'action_claimed_at', nullable: true }) actionClaimedAt: Date | null;
  @Column({ type: 'timestamptz', name: 'action_at', nullable: true }) actionAt: Date | null;
  @Column({ type: 'text', name: 'action_detail', nullable: true }) actionDetail: string | null;
  @Column({ type: 'bigint', name: 'reset_event_id', default: 0 }) resetEventId: string;
  @Column({ type: 'timestamptz', name: 'reset_at', nullable: true }) resetAt: Date | null;
  @Column({ type: 'text', name: 'reset_by', nullable: true }) resetBy: string | null;
  @Column({ type: 'text', name: 'reset_reason', nullable: true }) resetReason: string | null;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}

/** Append-only log of what the tripwire did: status changes, triggers, actions, resets. */
@Entity({ name: 'regression_event' })
@Index('ix_regression_event_stream', ['domain', 'metric', 'id'])
@Index('ix_regression_event_at', ['at'])
export class RegressionEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', name: 'id' }) id: string;
  @Column({ type: 'timestamptz', name: 'at' }) at: Date;
  @Column({ type: 'text', name: 'domain' }) domain: string;
  @Column({ type: 'text', name: 'metric' }) metric: string;
  @Column({ type: 'text', name: 'type' }) type: 'status_changed' | 'triggered' | 'action_taken' | 'action_failed' | 'baseline_reset';
  @Column({ type: 'text', name: 'status', nullable: true }) status: string | null;
  @Column({ type: 'text', name: 'action', nullable: true }) action: string | null;
  @Column({ type: 'text', name: 'principal' }) principal: string;
  @Column({ type: 'jsonb', name: 'details', default: () => "'{}'" }) details: Record<string, unknown>;
}
