import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNumber, Max, Min, ValidateIf } from 'class-validator';
import { BooleanField, IdentifierField, IntegerField, MetricField, TextField } from '#platform';
import { REGRESSION_ACTIONS, type RegressionAction } from '../entities/regression-policy.entity.js';

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

/**
 * Creates or changes one tripwire. Fields left out keep their current value (or the default for a
 * new policy: disabled, 50 vs 200 events, min 50, target engine = domain, alpha 0.005);
 * `max_drop_fraction` and `action` are required when the policy is new. `alpha: null` turns the
 * significance test off (plain threshold).
 */
export class UpsertRegressionPolicyRequestDto {
  @IdentifierField('Domain the KPI belongs to')
  domain: string;

  @MetricField()
  metric: string;

  @BooleanField('Whether the tripwire evaluates and acts')
  enabled?: boolean;

  @IntegerField('Current window: the newest N events', { min: 1, max: 10000, optional: true, example: 50 })
  window_events?: number;

  @IntegerField('Baseline: the N events before the current window', { min: 1, max: 10000, optional: true, example: 200 })
  baseline_events?: number;

  @IntegerField('Fewer events than this on either side: insufficient_data', { min: 1, max: 10000, optional: true, example: 50 })
  min_events?: number;

  @ApiPropertyOptional({ description: 'Trigger when (baseline - current) / |baseline| >= this; in (0, 1]', example: 0.2 })
  @ValidateIf((o: UpsertRegressionPolicyRequestDto) => o.max_drop_fraction !== undefined)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.0001)
  @Max(1)
  max_drop_fraction?: number;

  @ApiPropertyOptional({ enum: REGRESSION_ACTIONS, description: 'THROTTLE disables the target engine’s risk policy; KILL_SWITCH engages the kill switch; ALERT records only' })
  @ValidateIf((o: UpsertRegressionPolicyRequestDto) => o.action !== undefined)
  @Transform(upper)
  @IsIn(REGRESSION_ACTIONS as RegressionAction[])
  action?: RegressionAction;

  @IdentifierField('Engine whose risk policy THROTTLE disables (default: the domain)', true)
  target_engine?: string;

  @ApiPropertyOptional({ description: 'Significance level of the one-sided test, in (0, 0.5]; null = plain threshold', nullable: true, example: 0.005 })
  @ValidateIf((o: UpsertRegressionPolicyRequestDto) => o.alpha !== undefined && o.alpha !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1e-9)
  @Max(0.5)
  alpha?: number | null;

  @TextField('Why (recorded in the audit trail)', { optional: true })
  reason?: string;

  @TextField('Free label of who is acting', { optional: true, max: 100 })
  actor?: string;
}

export interface RegressionPolicyRow {
  domain: string;
  metric: string;
  enabled: boolean;
  window_events: number;
  baseline_events: number;
  min_events: number;
  max_drop_fraction: number;
  action: RegressionAction;
  target_engine: string;
  alpha: number | null;
  created_at: Date;
  updated_at: Date;
  updated_by: string;
  kind?: 'success_rate' | 'mean_value' | null;
}

export class RegressionPolicyResponseDto {
  @ApiProperty() domain: string;
  @ApiProperty() metric: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty() window_events: number;
  @ApiProperty() baseline_events: number;
  @ApiProperty() min_events: number;
  @ApiProperty() max_drop_fraction: number;
  @ApiProperty({ enum: REGRESSION_ACTIONS }) action: RegressionAction;
  @ApiProperty() target_engine: string;
  @ApiProperty({ nullable: true, type: Number }) alpha: number | null;
  @ApiProperty({ nullable: true, enum: ['success_rate', 'mean_value'], description: 'Locked by the first KPI event recorded; null before any' })
  kind: 'success_rate' | 'mean_value' | null;
  @ApiProperty() updated_at: string;
  @ApiProperty() updated_by: string;

  static from(r: RegressionPolicyRow): RegressionPolicyResponseDto {
    return {
      domain: r.domain,
      metric: r.metric,
      enabled: r.enabled,
      window_events: r.window_events,
      baseline_events: r.baseline_events,
      min_events: r.min_events,
      max_drop_fraction: r.max_drop_fraction,
      action: r.action,
      target_engine: r.target_engine,
      alpha: r.alpha,
      kind: r.kind ?? null,
      updated_at: new Date(r.updated_at).toISOString(),
      updated_by: r.updated_by,
    };
  }
}
