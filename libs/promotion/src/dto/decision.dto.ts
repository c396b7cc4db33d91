import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IdentifierField, NextCursorProperty, PageQueryDto } from '#platform';
import { LOG_VERDICTS } from '../decide/types.js';
import type { DecisionRow } from '../promotion.repository.js';

export class PromotionDecisionQueryDto extends PageQueryDto {
  @IdentifierField('Only this domain', true)
  domain?: string;

  @ApiPropertyOptional({ enum: LOG_VERDICTS, description: 'Only this verdict' })
  @IsOptional()
  @IsIn(LOG_VERDICTS)
  verdict?: string;
}

export class PromotionDecisionResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Order of the log (next_cursor values)' }) seq: string;
  @ApiProperty() decided_at: string;
  @ApiProperty() decided_by: string;
  @ApiProperty({ enum: ['api', 'friday'] }) source: string;
  @ApiProperty({ type: String, nullable: true }) domain: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Friday decisions: the Friday (UTC date) of the review' }) week: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) scorecard: unknown;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The policy as given ({} = defaults)' }) policy: unknown;
  @ApiProperty({ type: String, nullable: true, description: 'Version of the active rule file used; null for rules given in the request or the built-ins' }) rules_version: string | null;
  @ApiProperty() rules_digest: string;
  @ApiProperty({ type: String, nullable: true, description: "SHA-256 of the override's signature" }) override_digest: string | null;
  @ApiProperty({ enum: LOG_VERDICTS }) verdict: string;
  @ApiProperty({ type: [String] }) reason_codes: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) overrides: Record<string, unknown>;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) trace: unknown[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: "The foresight gate's record of a Friday promote, in menace's decision_log.jsonl fields (timestamp, workflow_id, forecast {projections, confidence, upgrade_id}, decision, reason_codes) plus trend, collapse and thresholds; null when no forecast was made",
  })
  forecast: Record<string, unknown> | null;

  static from(r: DecisionRow): PromotionDecisionResponseDto {
    return Object.assign(new PromotionDecisionResponseDto(), { ...r, decided_at: new Date(r.decided_at).toISOString() });
  }
}

export class PromotionDecisionPageDto {
  @ApiProperty({ type: [PromotionDecisionResponseDto] }) items: PromotionDecisionResponseDto[];
  @NextCursorProperty() next_cursor: string | null;
}
