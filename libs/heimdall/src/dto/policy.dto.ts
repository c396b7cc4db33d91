import { ApiProperty } from '@nestjs/swagger';
import { BaseVersionField, controlVersion } from '#approvals';
import { BooleanField, IdentifierField, IntegerField, RatioField, TextField } from '#platform';
import type { PolicyRow } from '../heimdall.repository.js';

/**
 * Creates or changes a domain's policy. A new domain needs the three thresholds; for an existing
 * one, omitted fields keep their value.
 */
export class UpsertHeimdallPolicyRequestDto {
  @IdentifierField('AI domain, e.g. WHOLESALE_OFFER')
  domain: string;

  @RatioField('Least confidence a recommendation must carry', { optional: true, example: 0.92 })
  min_confidence?: string;

  @IntegerField('Least number of sandbox trials in the window', { min: 0, max: 1_000_000_000, optional: true, example: 75 })
  min_trials?: number;

  @RatioField('Least sandbox success rate in the window', { optional: true, example: 0.82 })
  min_success_rate?: string;

  @BooleanField('May recommendations of this domain reach production at all (default false)')
  prod_use_enabled?: boolean;

  @IntegerField('Scorecard window in UTC days ending today (default 1: today only)', { min: 1, max: 366, optional: true, example: 1 })
  window_days?: number;

  @TextField('Why', { optional: true })
  reason?: string;

  @TextField('Free label of who is acting (recorded beside the token principal)', { optional: true, max: 100 })
  actor?: string;

  @BaseVersionField()
  base_version?: string;
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
  @ApiProperty({ description: 'The policy\'s version: send it as base_version with a change to have it refused if the policy changed since' })
  control_version: string;

  static from(p: PolicyRow): HeimdallPolicyResponseDto {
    const view = {
      domain: p.domain,
      min_confidence: Number(p.min_confidence),
      min_trials: p.min_trials,
      min_success_rate: Number(p.min_success_rate),
      prod_use_enabled: p.prod_use_enabled,
      window_days: p.window_days,
      updated_by: p.updated_by,
      updated_at: new Date(p.updated_at).toISOString(),
    };
    return Object.assign(new HeimdallPolicyResponseDto(), view, { control_version: controlVersion(view) });
  }
}
