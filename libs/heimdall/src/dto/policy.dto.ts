import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { BooleanField, IdentifierField, TextField } from '#platform';
import { RatioField } from './fields.js';

/**
 * Creates or changes a domain's policy. A new domain needs the three thresholds; for an existing
 * one, omitted fields keep their value.
 */
export class UpsertHeimdallPolicyRequestDto {
  @IdentifierField('AI domain, e.g. WHOLESALE_OFFER')
  domain: string;

  @RatioField('Least confidence a recommendation must carry', { optional: true, example: 0.92 })
  min_confidence?: string;

  @ApiProperty({ required: false, description: 'Least number of sandbox trials in the window', example: 75 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  min_trials?: number;

  @RatioField('Least sandbox success rate in the window', { optional: true, example: 0.82 })
  min_success_rate?: string;

  @BooleanField('May recommendations of this domain reach production at all (default false)')
  prod_use_enabled?: boolean;

  @ApiProperty({ required: false, description: 'Scorecard window in UTC days ending today (default 1: today only)', example: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(366)
  window_days?: number;

  @TextField('Why', { optional: true })
  reason?: string;

  @TextField('Free label of who is acting (recorded beside the token principal)', { optional: true, max: 100 })
  actor?: string;
}

export class HeimdallPolicyResponseDto {
  @ApiProperty({ example: 'WHOLESALE_OFFER' }) domain: string;
  @ApiProperty({ example: 0.92 }) min_confidence: number;
  @ApiProperty({ example: 75 }) min_trials: number;
  @ApiProperty({ example: 0.82 }) min_success_rate: number;
  @ApiProperty() prod_use_enabled: boolean;
  @ApiProperty({ example: 1 }) window_days: number;
  @ApiProperty() updated_by: string;
  @ApiProperty() updated_at: string;
}
