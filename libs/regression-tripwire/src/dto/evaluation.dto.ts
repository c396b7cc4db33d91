import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional } from 'class-validator';
import { IdentifierField, IntegerField, MetricField, TextField } from '#platform';
import { REGRESSION_ACTIONS, type RegressionAction } from '../entities/regression-policy.entity.js';
import type { ActionStatus, RegressionStatus } from '../entities/regression-state.entity.js';
import { OptionalMetricField } from './fields.js';

export class EvaluateQueryDto {
  @IdentifierField('Domain')
  domain: string;

  @MetricField()
  metric: string;
}

export class StateQueryDto {
  @IdentifierField('Only this domain', true)
  domain?: string;

  @OptionalMetricField('Only this metric')
  metric?: string;
}

export class BaselineResetRequestDto {
  @IdentifierField('Domain whose baselines restart')
  domain: string;

  @OptionalMetricField('Only this metric (default: every metric of the domain)')
  metric?: string;

  @TextField('Why (required; recorded in the audit trail)')
  reason: string;

  @TextField('Free label of who is acting', { optional: true, max: 100 })
  actor?: string;
}

export class ActionOutcomeDto {
  @ApiProperty({ enum: REGRESSION_ACTIONS }) type: RegressionAction;
  @ApiProperty() target_engine: string;
  @ApiProperty({ description: 'Whether this evaluation fired (or retried) the action' }) fired: boolean;
  @ApiProperty({ enum: ['none', 'pending', 'done', 'failed'] }) status: ActionStatus;
  @ApiPropertyOptional({ nullable: true, type: String }) detail: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) at: string | null;
}

export class EvaluationResponseDto {
  @ApiProperty() domain: string;
  @ApiProperty() metric: string;
  @ApiProperty({ enum: ['ok', 'triggered', 'insufficient_data', 'disabled'] }) status: Exclude<RegressionStatus, 'never_evaluated'>;
  @ApiProperty({ enum: ['success_rate', 'mean_value'] }) kind: 'success_rate' | 'mean_value';
  @ApiProperty({ description: 'Reason code: policy_disabled, insufficient_current_events, insufficient_baseline_events, drop_below_threshold, drop_not_significant, drop_exceeds_threshold, drop_significant' })
  reason: string;
  @ApiProperty() detail: string;
  @ApiProperty({ nullable: true, type: Number }) baseline: number | null;
  @ApiProperty({ nullable: true, type: Number }) current: number | null;
  @ApiProperty({ nullable: true, type: Number, description: '(baseline - current) / |baseline|' }) drop: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'One-sided p-value of "current < baseline"' }) p_value: number | null;
  @ApiProperty() n_baseline: number;
  @ApiProperty() n_current: number;
  @ApiProperty() max_drop_fraction: number;
  @ApiProperty({ nullable: true, type: Number }) alpha: number | null;
  @ApiProperty({ description: 'Events with an id at or below this were cleared by a baseline reset' }) reset_event_id: string;
  @ApiProperty() evaluated_at: string;
  @ApiProperty({ type: ActionOutcomeDto }) action: ActionOutcomeDto;
}

export class RegressionStateResponseDto {
  @ApiProperty() domain: string;
  @ApiProperty() metric: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ enum: ['never_evaluated', 'ok', 'triggered', 'insufficient_data', 'disabled'] }) status: RegressionStatus;
  @ApiProperty({ nullable: true, type: String }) kind: string | null;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ nullable: true, type: String }) detail: string | null;
  @ApiProperty({ nullable: true, type: Number }) baseline: number | null;
  @ApiProperty({ nullable: true, type: Number }) current: number | null;
  @ApiProperty({ nullable: true, type: Number }) drop: number | null;
  @ApiProperty({ nullable: true, type: Number }) p_value: number | null;
  @ApiProperty() n_baseline: number;
  @ApiProperty() n_current: number;
  @ApiProperty({ nullable: true, type: String }) last_evaluated_at: string | null;
  @ApiProperty() evaluations: number;
  @ApiProperty({ nullable: true, type: String, description: 'When the current (or last) trigger began' }) triggered_at: string | null;
  @ApiProperty({ description: 'How many times this tripwire has fired' }) trigger_count: number;
  @ApiProperty({ enum: REGRESSION_ACTIONS }) action: RegressionAction;
  @ApiProperty() target_engine: string;
  @ApiProperty({ enum: ['none', 'pending', 'done', 'failed'] }) action_status: ActionStatus;
  @ApiProperty({ nullable: true, type: String }) action_at: string | null;
  @ApiProperty({ nullable: true, type: String }) action_detail: string | null;
  @ApiProperty() reset_event_id: string;
  @ApiProperty({ nullable: true, type: String }) reset_at: string | null;
  @ApiProperty({ nullable: true, type: String }) reset_by: string | null;
  @ApiProperty({ nullable: true, type: String }) reset_reason: string | null;
}

export const REGRESSION_EVENT_TYPES = ['status_changed', 'triggered', 'action_taken', 'action_failed', 'baseline_reset'] as const;
export type RegressionEventType = (typeof REGRESSION_EVENT_TYPES)[number];

export class EventsQueryDto extends StateQueryDto {
  @ApiPropertyOptional({ enum: REGRESSION_EVENT_TYPES })
  @IsOptional()
  @IsIn(REGRESSION_EVENT_TYPES as unknown as string[])
  type?: RegressionEventType;

  @ApiPropertyOptional({ description: 'Only events at or after this instant (ISO 8601)', type: String, example: '2026-01-12T00:00:00Z' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  since?: Date;

  @ApiPropertyOptional({ description: 'Only events before this instant (ISO 8601)', type: String })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  until?: Date;

  @IntegerField('Page size (default 100)', { min: 1, max: 1000, optional: true, example: 100 })
  limit?: number;
}

export class RegressionEventResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() at: string;
  @ApiProperty() domain: string;
  @ApiProperty() metric: string;
  @ApiProperty({ enum: REGRESSION_EVENT_TYPES }) type: RegressionEventType;
  @ApiProperty({ nullable: true, type: String }) status: string | null;
  @ApiProperty({ nullable: true, type: String }) action: string | null;
  @ApiProperty() principal: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) details: Record<string, unknown>;
}
