import { ApiProperty } from '@nestjs/swagger';
import { IdentifierField, MetricField } from '#platform';
import type { DetectorKind, DetectorStatus, Verdict } from '../decide/detector.js';
import { type ActionStatus, REGRESSION_ACTIONS, type RegressionAction } from '../regression-tripwire.constants.js';
import type { RegressionPolicyRow } from '../regression-policy.repository.js';
import type { RegressionStateRow } from '../regression-state.repository.js';

export const iso = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

export class EvaluateQueryDto {
  @IdentifierField('Domain')
  domain: string;

  @MetricField()
  metric: string;
}

export class ActionOutcomeDto {
  @ApiProperty({ enum: REGRESSION_ACTIONS }) type: RegressionAction;
  @ApiProperty() target_engine: string;
  @ApiProperty({ description: 'Whether this evaluation fired (or retried) the action' }) fired: boolean;
  @ApiProperty({ enum: ['none', 'pending', 'done', 'failed'] }) status: ActionStatus;
  @ApiProperty({ nullable: true, type: String }) detail: string | null;
  @ApiProperty({ nullable: true, type: String }) at: string | null;
}

export class EvaluationResponseDto {
  @ApiProperty() domain: string;
  @ApiProperty() metric: string;
  @ApiProperty({ enum: ['ok', 'triggered', 'insufficient_data', 'disabled'] }) status: DetectorStatus;
  @ApiProperty({ enum: ['success_rate', 'mean_value'] }) kind: DetectorKind;
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

  /** `fired`: this evaluation ran (or retried) the action; the action block is `none` unless triggered or fired. */
  static from(policy: RegressionPolicyRow, verdict: Verdict, state: RegressionStateRow, fired: boolean): EvaluationResponseDto {
    const shown = verdict.status === 'triggered' || fired;
    return {
      domain: policy.domain,
      metric: policy.metric,
      status: verdict.status,
      kind: verdict.kind,
      reason: verdict.reason,
      detail: verdict.detail,
      baseline: verdict.baseline,
      current: verdict.current,
      drop: verdict.drop,
      p_value: verdict.p_value,
      n_baseline: verdict.n_baseline,
      n_current: verdict.n_current,
      max_drop_fraction: policy.max_drop_fraction,
      alpha: policy.alpha,
      reset_event_id: state.reset_event_id,
      evaluated_at: iso(state.last_evaluated_at)!,
      action: {
        type: policy.action,
        target_engine: policy.target_engine,
        fired,
        status: shown ? state.action_status : 'none',
        detail: shown ? state.action_detail : null,
        at: shown ? iso(state.action_at) : null,
      },
    };
  }
}
