import { ApiProperty } from '@nestjs/swagger';
import { IdentifierField } from '#platform';
import { GateCheckDto } from './gate.dto.js';
import { HeimdallPolicyResponseDto } from './policy.dto.js';

export class ScorecardQueryDto {
  @IdentifierField('Only this domain', true)
  domain?: string;
}

export class ScorecardDayCountsDto {
  @ApiProperty() trials: number;
  @ApiProperty() successes: number;
}

export class ScorecardDomainDto {
  @ApiProperty() domain: string;
  @ApiProperty({ description: 'First UTC day of the window' }) window_from: string;
  @ApiProperty({ description: 'Last UTC day of the window (today)' }) window_to: string;
  @ApiProperty() window_days: number;
  @ApiProperty() trials: number;
  @ApiProperty() successes: number;
  @ApiProperty({ nullable: true, description: 'successes / trials; null with no trials' }) success_rate: number | null;
  @ApiProperty({ nullable: true, description: 'confidence_sum / trials, from the exact sum; null with no trials' }) avg_confidence: number | null;
  @ApiProperty({ description: 'Exact sum of trial confidences (decimal string)' }) confidence_sum: string;
  @ApiProperty({ type: ScorecardDayCountsDto, description: 'Today alone' }) today: ScorecardDayCountsDto;
  @ApiProperty({ type: HeimdallPolicyResponseDto }) policy: HeimdallPolicyResponseDto;
  @ApiProperty({ description: 'Would a recommendation at the window’s average confidence reach production now?' }) prod_eligible: boolean;
  @ApiProperty() gate_reason: string;
  @ApiProperty({ type: [String] }) reason_codes: string[];
  @ApiProperty({ type: [GateCheckDto] }) gates: GateCheckDto[];
  @ApiProperty({ example: 'WHOLESALE_OFFER: not eligible (prod_use_disabled) — prod use disabled: ...; 12 more trials (63 of 75 in today’s window)' })
  summary: string;
}

export class ScorecardResponseDto {
  @ApiProperty({ description: 'Today (UTC)' }) day: string;
  @ApiProperty() as_of: string;
  @ApiProperty() kill_switch_engaged: boolean;
  @ApiProperty({ type: [ScorecardDomainDto] }) domains: ScorecardDomainDto[];
}
