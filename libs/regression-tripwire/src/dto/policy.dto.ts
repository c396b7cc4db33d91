import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, ValidateIf } from 'class-validator';
import { BaseVersionField, controlVersion } from '#approvals';
import { BooleanField, IdentifierField, IntegerField, MetricField, TextField } from '#platform';
import type { DetectorKind } from '../decide/detector.js';
import { DEFAULT_ALPHA, REGRESSION_ACTIONS, type RegressionAction } from '../regression-tripwire.constants.js';
import type { RegressionPolicyRow } from '../regression-policy.repository.js';
import { PolicyRatioField } from './fields.js';

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

/**
 * Creates or changes one tripwire. Fields left out keep their current value (or the default for a
 * new policy: disabled, 50 vs 200 events, min 50, target engine = domain, alpha 0.005);
 * `max_drop_fraction` and `action` are required when the policy is new (else `policy_incomplete`).
 * `alpha: null` turns the significance test off (plain threshold).
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

  @PolicyRatioField('Trigger when (baseline - current) / |baseline| >= this; in [0.0001, 1]. Required for a new policy', { min: 0.0001, max: 1, example: 0.2 })
  max_drop_fraction?: number;

  @ApiPropertyOptional({ enum: REGRESSION_ACTIONS, description: 'THROTTLE disables the target engine’s risk policy; KILL_SWITCH engages the kill switch; ALERT records only. Required for a new policy' })
  @ValidateIf((o: UpsertRegressionPolicyRequestDto) => o.action !== undefined)
  @Transform(upper)
  @IsIn(REGRESSION_ACTIONS as RegressionAction[])
  action?: RegressionAction;

  @IdentifierField('Engine whose risk policy THROTTLE disables (default: the domain)', true)
  target_engine?: string;

  @PolicyRatioField(`Significance level of the one-sided test, in [1e-9, 0.5]; null = plain threshold (default ${DEFAULT_ALPHA})`, {
    min: 1e-9,
    max: 0.5,
    example: DEFAULT_ALPHA,
    nullable: true,
  })
  alpha?: number | null;

  @TextField('Why (recorded in the audit trail)', { optional: true })
  reason?: string;

  @TextField('Free label of who is acting', { optional: true, max: 100 })
  actor?: string;

  @BaseVersionField()
  base_version?: string;
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
  @ApiProperty({ nullable: true, type: String, enum: ['success_rate', 'mean_value'], description: 'Locked by the first KPI event recorded; null before any' })
  kind: DetectorKind | null;
  @ApiProperty() updated_at: string;
  @ApiProperty() updated_by: string;
  @ApiProperty({ description: 'The policy\'s version (the detector kind aside: the first KPI event sets it): send it as base_version with a change to have it refused if the policy changed since' })
  control_version: string;

  static from(r: RegressionPolicyRow): RegressionPolicyResponseDto {
    const view = {
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
    const { kind: _kind, ...policy } = view;
    return { ...view, control_version: controlVersion(policy) };
  }
}
