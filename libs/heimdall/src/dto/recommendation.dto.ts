import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional } from 'class-validator';
import { BooleanField, CorrelationIdField, IdentifierField, NextCursorProperty, PageQueryDto, RatioField, TextField } from '#platform';
import type { GateDecision } from '../decide/gates.js';
import type { CheckRow, RecommendationRow } from '../heimdall-recommendations.repository.js';
import { GateCheckDto } from './gate.dto.js';

export class RecommendRequestDto {
  @IdentifierField('AI domain (must have a policy)')
  domain: string;

  @RatioField('The engine’s confidence in this recommendation')
  confidence: string;

  @ApiPropertyOptional({ description: 'What is recommended (stored as given, JSON object)', type: 'object', additionalProperties: true, example: { buyer: 'ACME', amount: '1250.00' } })
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
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() domain: string;
  @ApiProperty() confidence: number;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) payload: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true }) correlation_id: string | null;
  @ApiProperty({ description: 'Eligible when it was created' }) prod_eligible: boolean;
  @ApiProperty({ example: 'insufficient_sandbox_trials' }) gate_reason: string;
  @ApiProperty({ type: [String], description: 'Every failing gate, in gate order' }) reason_codes: string[];
  @ApiProperty({ type: [GateCheckDto] }) gates: GateCheckDto[];
  @ApiProperty() created_by: string;
  @ApiProperty() created_at: string;

  static from(r: RecommendationRow): RecommendationResponseDto {
    return Object.assign(new RecommendationResponseDto(), RecommendationResponseDto.fields(r));
  }

  protected static fields(r: RecommendationRow) {
    return {
      id: r.id,
      domain: r.domain,
      confidence: Number(r.confidence),
      payload: r.payload,
      correlation_id: r.correlation_id,
      prod_eligible: r.prod_eligible,
      gate_reason: r.gate_reason,
      reason_codes: r.reason_codes,
      gates: r.gates,
      created_by: r.created_by,
      created_at: new Date(r.created_at).toISOString(),
    };
  }
}

/** The fresh decision of require-prod-eligible. */
export class EligibilityResponseDto {
  @ApiProperty({ format: 'uuid' }) recommendation_id: string;
  @ApiProperty() domain: string;
  @ApiProperty() confidence: number;
  @ApiProperty() prod_eligible: boolean;
  @ApiProperty({ example: 'gate_pass' }) gate_reason: string;
  @ApiProperty({ type: [String] }) reason_codes: string[];
  @ApiProperty({ type: [GateCheckDto] }) gates: GateCheckDto[];
  @ApiProperty() checked_at: string;

  static from(recommendationId: string, domain: string, confidence: string, decision: GateDecision, checkedAt: Date): EligibilityResponseDto {
    return Object.assign(new EligibilityResponseDto(), {
      recommendation_id: recommendationId,
      domain,
      confidence: Number(confidence),
      ...decision,
      checked_at: checkedAt.toISOString(),
    });
  }
}

/** `?before=&limit=&since=&until=` (on created_at) plus the list's own filters. */
export class ListRecommendationsQueryDto extends PageQueryDto {
  @IdentifierField('Only this domain', true)
  domain?: string;

  @BooleanField('Only recommendations eligible (true) or not (false) when created')
  prod_eligible?: boolean;
}

export class RecommendationPageDto {
  @ApiProperty({ type: [RecommendationResponseDto] }) items: RecommendationResponseDto[];
  @NextCursorProperty() next_cursor: string | null;
}

export class RecommendationCheckDto {
  @ApiProperty() at: string;
  @ApiProperty({ example: 'gate_pass', description: 'The gate_reason of the check' }) outcome: string;
  @ApiProperty({ description: 'The token principal that asked' }) principal: string;
  @ApiProperty() prod_eligible: boolean;

  static from(c: CheckRow): RecommendationCheckDto {
    return Object.assign(new RecommendationCheckDto(), { at: new Date(c.at).toISOString(), outcome: c.outcome, principal: c.principal, prod_eligible: c.prod_eligible });
  }
}

export class RecommendationDetailDto extends RecommendationResponseDto {
  @ApiProperty({ description: 'Every later require-prod-eligible check of it, oldest first', type: [RecommendationCheckDto] })
  checks: RecommendationCheckDto[];

  static withChecks(r: RecommendationRow, checks: CheckRow[]): RecommendationDetailDto {
    return Object.assign(new RecommendationDetailDto(), RecommendationResponseDto.fields(r), { checks: checks.map(RecommendationCheckDto.from) });
  }
}
