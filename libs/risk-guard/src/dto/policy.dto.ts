import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { BooleanField, IdentifierField, IntegerField, TextField } from '#platform';
import { AmountField } from './amount.js';

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

  @ApiPropertyOptional({ enum: ['enforce', 'observe'], description: 'observe: caps are reported, not enforced' })
  @IsOptional()
  @IsIn(['enforce', 'observe'])
  enforcement_mode?: 'enforce' | 'observe';

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
}

export class RiskPolicyResponseDto {
  @ApiProperty() engine: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ nullable: true }) disabled_reason: string;
  @ApiProperty({ nullable: true, example: '1000' }) max_daily_exposure: string;
  @ApiProperty({ nullable: true, example: '1000' }) max_open_risk: string;
  @ApiProperty({ nullable: true, example: '200' }) max_daily_loss: string;
  @ApiProperty({ nullable: true }) max_actions_per_day: number;
  @ApiProperty() reservation_ttl_seconds: number;
  @ApiProperty({ enum: ['enforce', 'observe'] }) enforcement_mode: string;
  @ApiProperty({ example: '1', description: 'A settle books at most amount x this' }) max_loss_multiple: string;
  @ApiProperty() updated_by: string;
  @ApiProperty() updated_at: string;
}
