import { ApiProperty } from '@nestjs/swagger';
import { IdentifierField, TextField } from '#platform';
import { type ActionStatus, REGRESSION_ACTIONS, type RegressionAction, type RegressionStatus } from '../regression-tripwire.constants.js';
import type { PolicyStateRow } from '../regression-state.repository.js';
import { iso } from './evaluation.dto.js';
import { OptionalMetricField } from './fields.js';

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

  /** A policy never evaluated has no state row: it reads `never_evaluated` with the policy's action. */
  static from(r: PolicyStateRow): RegressionStateResponseDto {
    return {
      domain: r.domain,
      metric: r.metric,
      enabled: r.enabled,
      status: r.status ?? 'never_evaluated',
      kind: r.kind ?? null,
      reason: r.reason ?? null,
      detail: r.detail ?? null,
      baseline: r.baseline ?? null,
      current: r.current ?? null,
      drop: r.drop ?? null,
      p_value: r.p_value ?? null,
      n_baseline: r.n_baseline ?? 0,
      n_current: r.n_current ?? 0,
      last_evaluated_at: iso(r.last_evaluated_at),
      evaluations: Number(r.evaluations ?? 0),
      triggered_at: iso(r.triggered_at),
      trigger_count: r.trigger_count ?? 0,
      action: r.action ?? r.policy_action,
      target_engine: r.target_engine,
      action_status: r.action_status ?? 'none',
      action_at: iso(r.action_at),
      action_detail: r.action_detail ?? null,
      reset_event_id: r.reset_event_id ?? '0',
      reset_at: iso(r.reset_at),
      reset_by: r.reset_by ?? null,
      reset_reason: r.reset_reason ?? null,
    };
  }
}
