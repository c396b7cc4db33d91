import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IdentifierField, NextCursorProperty, PageQueryDto } from '#platform';
import { VERDICTS } from '../decide/types.js';
import type { DecisionRow } from '../promotion.repository.js';

export class PromotionDecisionQueryDto extends PageQueryDto {
  @IdentifierField('Only this domain', true)
  domain?: string;

  @ApiPropertyOptional({ enum: VERDICTS, description: 'Only this verdict' })
  @IsOptional()
  @IsIn(VERDICTS)
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
  @ApiProperty({ enum: VERDICTS }) verdict: string;
  @ApiProperty({ type: [String] }) reason_codes: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) overrides: Record<string, unknown>;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) trace: unknown[];

  static from(r: DecisionRow): PromotionDecisionResponseDto {
    return Object.assign(new PromotionDecisionResponseDto(), { ...r, decided_at: new Date(r.decided_at).toISOString() });
  }
}

export class PromotionDecisionPageDto {
  @ApiProperty({ type: [PromotionDecisionResponseDto] }) items: PromotionDecisionResponseDto[];
  @NextCursorProperty() next_cursor: string | null;
}
