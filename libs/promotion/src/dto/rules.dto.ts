import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsOptional, IsString, MaxLength } from 'class-validator';
import { BaseVersionField, controlVersion } from '#approvals';
import { TextField } from '#platform';
import type { RuleFileRow } from '../promotion.repository.js';

export class PutRulesRequestDto {
  @ApiPropertyOptional({
    description: "The rule file's text, YAML or JSON (menace's format: a list of {decision, condition, reason_code})",
    example: '- decision: pilot\n  condition: "raroi is not None and raroi < 1.2"\n  reason_code: near_miss_pilot\n',
    maxLength: 256 * 1024,
  })
  @IsOptional()
  @IsString()
  @MaxLength(256 * 1024)
  source?: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'The rules as a JSON list (instead of source)' })
  @Allow()
  rules?: unknown;

  @TextField('Why the rules change (audited)', { optional: true })
  reason?: string;

  @BaseVersionField()
  base_version?: string;
}

export class RuleFileResponseDto {
  @ApiProperty({ type: String, nullable: true, description: 'null: no rule file was ever put (the built-ins alone apply)' }) version: string | null;
  @ApiProperty({ type: String, nullable: true }) source: string | null;
  @ApiProperty({ description: 'SHA-256 of the source; of the empty string for the built-ins alone' }) digest: string;
  @ApiProperty({ description: "The file's rules (built-ins not counted)" }) rule_count: number;
  @ApiProperty({ type: String, nullable: true }) created_by: string | null;
  @ApiProperty({ type: String, nullable: true }) created_at: string | null;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ description: 'The active file\'s version as a control (absent: built-ins only): send it as base_version with a change to have it refused if the file changed since' })
  control_version: string;

  static from(row: RuleFileRow | undefined, emptyDigest: string): RuleFileResponseDto {
    const view = {
      version: row?.version ?? null,
      source: row?.source ?? null,
      digest: row?.digest ?? emptyDigest,
      rule_count: row?.rule_count ?? 0,
      created_by: row?.created_by ?? null,
      created_at: row ? new Date(row.created_at).toISOString() : null,
      reason: row?.reason ?? null,
    };
    return Object.assign(new RuleFileResponseDto(), view, { control_version: row ? controlVersion(view) : controlVersion(null) });
  }
}
