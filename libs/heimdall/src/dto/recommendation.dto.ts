import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, Matches } from 'class-validator';
import { BooleanField, IdentifierField, IntegerField, TextField } from '#platform';
import { CorrelationIdField, RatioField } from './fields.js';
import { GateCheckDto } from './gate.dto.js';

export class RecommendRequestDto {
  @IdentifierField('AI domain (must have a policy)')
  domain: string;

  @RatioField('The engine’s confidence in this recommendation')
  confidence: string;

  @ApiPropertyOptional({ description: 'What is recommended (stored as given, JSON object)', type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;

  @CorrelationIdField()
  correlation_id?: string;
}

export class RequireProdEligibleRequestDto {
  @TextField('Free label of who is asking (recorded beside the token principal)', { optional: true, max: 100 })
  actor?: string;

  @CorrelationIdField('The caller’s trace key, recorded on the check event')
  correlation_id?: string;
}

export class RecommendationResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() domain: string;
  @ApiProperty() confidence: number;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) payload: Record<string, unknown> | null;
  @ApiProperty({ nullable: true }) correlation_id: string | null;
  @ApiProperty({ description: 'Eligible when it was created' }) prod_eligible: boolean;
  @ApiProperty({ example: 'insufficient_sandbox_trials' }) gate_reason: string;
  @ApiProperty({ type: [String], description: 'Every failing gate, in gate order' }) reason_codes: string[];
  @ApiProperty({ type: [GateCheckDto] }) gates: GateCheckDto[];
  @ApiProperty() created_by: string;
  @ApiProperty() created_at: string;
}

/** The fresh decision of require-prod-eligible. */
export class EligibilityResponseDto {
  @ApiProperty() recommendation_id: string;
  @ApiProperty() domain: string;
  @ApiProperty() confidence: number;
  @ApiProperty() prod_eligible: boolean;
  @ApiProperty({ example: 'gate_pass' }) gate_reason: string;
  @ApiProperty({ type: [String] }) reason_codes: string[];
  @ApiProperty({ type: [GateCheckDto] }) gates: GateCheckDto[];
  @ApiProperty() checked_at: string;
}

export class ListRecommendationsQueryDto {
  @IdentifierField('Only this domain', true)
  domain?: string;

  @BooleanField('Only recommendations eligible (true) or not (false) when created')
  prod_eligible?: boolean;

  @IntegerField('Page size (default 50)', { min: 1, max: 500, optional: true, example: 50 })
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @Matches(/^[0-9]{1,18}$/, { message: 'cursor must be a next_cursor value' })
  cursor?: string;
}

export class RecommendationPageDto {
  @ApiProperty({ type: [RecommendationResponseDto] }) items: RecommendationResponseDto[];
  @ApiProperty({ nullable: true, description: 'Pass as ?cursor= for the next (older) page; null on the last page' }) next_cursor: string | null;
}

export class RecommendationDetailDto extends RecommendationResponseDto {
  @ApiProperty({ description: 'Every later require-prod-eligible check of it, oldest first', type: 'array', items: { type: 'object' } })
  checks: Array<{ at: string; outcome: string; principal: string; prod_eligible: boolean }>;
}
