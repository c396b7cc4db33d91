import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { BooleanField, IdentifierField } from '#platform';
import { CorrelationIdField, RatioField } from './fields.js';

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
  @ApiProperty({ nullable: true }) recommendation_id: string | null;
  @ApiProperty({ nullable: true }) correlation_id: string | null;
  @ApiProperty() recorded_by: string;
  @ApiProperty() recorded_at: string;
}
