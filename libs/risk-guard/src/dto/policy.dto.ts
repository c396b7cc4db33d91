import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, ValidateIf } from 'class-validator';
import { BaseVersionField, controlVersion } from '#approvals';
import { AmountField, BooleanField, IdentifierField, IntegerField, TextField } from '#platform';
import type { EnforcementMode, PolicyRow } from '../risk-policy.repository.js';

/** Fields given replace the stored ones; fields left out keep them. A new policy must give the three money caps. */
export class PolicyUpsertRequestDto {
  @IdentifierField('Engine (or GLOBAL)')
  engine: string;

  @BooleanField('Whether the engine may take risk at all')
  enabled?: boolean;

  @AmountField('Daily exposure cap; null = unlimited, 0 = nothing', { allowZero: true, optional: true, nullable: true, example: '1000' })
  max_daily_exposure?: string | null;

  @AmountField('Open-risk cap; null = unlimited, 0 = nothing', { allowZero: true, optional: true, nullable: true, example: '1000' })
  max_open_risk?: string | null;

  @AmountField('Daily realized-loss cap (reserving stops once reached); null = unlimited', {
    allowZero: true,
    optional: true,
    nullable: true,
    example: '200',
  })
  max_daily_loss?: string | null;

  @IntegerField('Actions per UTC day; null = unlimited', { min: 0, max: 2147483647, optional: true, nullable: true, example: 500 })
  max_actions_per_day?: number | null;

  @IntegerField('Seconds before an open reservation is marked expired (still open risk)', { min: 1, max: 604800, optional: true, example: 900 })
  reservation_ttl_seconds?: number;

  // Left out keeps the stored mode; null is no mode (400), not "left out" (it reached the NOT NULL column: 500).
  @ApiPropertyOptional({ enum: ['enforce', 'observe'], description: 'observe: caps are reported, not enforced' })
  @ValidateIf((_o: object, v: unknown) => v !== undefined)
  @IsIn(['enforce', 'observe'], { message: 'enforcement_mode must be enforce or observe' })
  enforcement_mode?: EnforcementMode;

  @AmountField('A settle books at most the reserved amount times this (the lower of the engine\'s and GLOBAL\'s applies); default 1', {
    optional: true,
    example: '1',
  })
  max_loss_multiple?: string;

  @TextField('Why the engine is disabled (shown in every denial)', { optional: true, max: 500 })
  disabled_reason?: string;

  @TextField('Why this change (audited)', { optional: true, max: 500 })
  reason?: string;

  @TextField('Free label of who is acting (recorded beside the token principal)', { optional: true, max: 100 })
  actor?: string;

  @BaseVersionField()
  base_version?: string;
}

/** A risk policy as every caller sees it: caps as exact decimal strings, null = unlimited. */
export class RiskPolicyResponseDto {
  @ApiProperty({ example: 'WHOLESALE' }) engine: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Shown in every denial while disabled' }) disabled_reason: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'regression_event:42',
    description: 'The tripwire event whose THROTTLE holds the engine off; cleared only by an enable (the approved act under the two-person rule), never by an upsert',
  })
  throttled_by: string | null;
  @ApiProperty({ type: String, nullable: true, example: '1000', description: 'null = unlimited' }) max_daily_exposure: string | null;
  @ApiProperty({ type: String, nullable: true, example: '1000', description: 'null = unlimited' }) max_open_risk: string | null;
  @ApiProperty({ type: String, nullable: true, example: '200', description: 'null = unlimited' }) max_daily_loss: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null = unlimited' }) max_actions_per_day: number | null;
  @ApiProperty({ type: 'integer', example: 900 }) reservation_ttl_seconds: number;
  @ApiProperty({ enum: ['enforce', 'observe'] }) enforcement_mode: EnforcementMode;
  @ApiProperty({ example: '1', description: 'A settle books at most the reserved amount times this (the lower of the engine\'s and GLOBAL\'s)' })
  max_loss_multiple: string;
  @ApiProperty() updated_by: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
  @ApiProperty({ description: 'The policy\'s version: send it as base_version with a change to have it refused if the policy changed since (docs/approvals.md "Change requests")' })
  control_version: string;

  static from(p: PolicyRow): RiskPolicyResponseDto {
    const view: Omit<RiskPolicyResponseDto, 'control_version'> = {
      engine: p.engine,
      enabled: p.enabled,
      disabled_reason: p.disabled_reason,
      throttled_by: p.throttled_by ?? null,
      max_daily_exposure: p.max_daily_exposure,
      max_open_risk: p.max_open_risk,
      max_daily_loss: p.max_daily_loss,
      max_actions_per_day: p.max_actions_per_day,
      reservation_ttl_seconds: p.reservation_ttl_seconds,
      enforcement_mode: p.enforcement_mode,
      max_loss_multiple: p.max_loss_multiple,
      updated_by: p.updated_by,
      updated_at: new Date(p.updated_at).toISOString(),
    };
    return { ...view, control_version: controlVersion(view as unknown as Record<string, unknown>) };
  }
}
