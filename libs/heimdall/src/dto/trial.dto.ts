import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { BooleanField, CorrelationIdField, IdentifierField, RatioField } from '#platform';
import type { TrialRow } from '../heimdall-trials.repository.js';

export class RecordTrialRequestDto {
  @IdentifierField('AI domain the trial belongs to (must have a policy)')
  domain: string;

  @BooleanField('Did the recommendation work in the sandbox?', false)
  success: boolean;

  @RatioField('The confidence the engine gave the recommendation it tried')
  confidence: string;

  @ApiPropertyOptional({ description: 'The recommendation this trial exercised', format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'recommendation_id must be a UUID' })
  recommendation_id?: string;

  @CorrelationIdField()
  correlation_id?: string;
}

export class TrialResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() domain: string;
  @ApiProperty({ description: 'UTC day the trial counts for' }) day: string;
  @ApiProperty() success: boolean;
  @ApiProperty() confidence: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) recommendation_id: string | null;
  @ApiProperty({ type: String, nullable: true }) correlation_id: string | null;
  @ApiProperty() recorded_by: string;
  @ApiProperty() recorded_at: string;

  static from(t: TrialRow): TrialResponseDto {
    return Object.assign(new TrialResponseDto(), {
      id: t.id,
      domain: t.domain,
      day: t.day,
      success: t.success,
      confidence: Number(t.confidence),
      recommendation_id: t.recommendation_id,
      correlation_id: t.correlation_id,
      recorded_by: t.recorded_by,
      recorded_at: new Date(t.recorded_at).toISOString(),
    });
  }
}
