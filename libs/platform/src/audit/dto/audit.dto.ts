import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { NextCursorProperty, PageQueryDto } from '../../http/paging.js';
import type { AuditLogEntity } from '../audit-log.entity.js';

/** `GET /api/governance/audit`: the platform paging shape plus the trail's own filters. */
export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only rows about this subject (e.g. go_live, token:<id>, risk_policy:WHOLESALE)', example: 'go_live' })
  @IsOptional() @IsString() @MaxLength(200)
  subject?: string;

  @ApiPropertyOptional({ description: 'Only this action (e.g. go_live.kill_switch.engage)', example: 'go_live.kill_switch.engage' })
  @IsOptional() @IsString() @MaxLength(200)
  action?: string;

  @ApiPropertyOptional({ description: 'Only what this token did (a token id from /api/governance/tokens, `system` or `cli`)' })
  @IsOptional() @IsString() @MaxLength(64)
  principal_token_id?: string;
}

/**
 * One audit row. The field names (`principalTokenId`, `actorLabel`) are those the trail has always
 * answered with (docs/auth.md); kept so existing readers do not break.
 */
export class AuditEntryDto {
  @ApiProperty({ description: 'Row id; also the paging cursor', example: '1042' }) id: string;
  @ApiProperty({ type: String, format: 'date-time' }) at: string;
  @ApiProperty({ description: "The acting token's name" }) principal: string;
  @ApiProperty({ type: String, nullable: true, description: 'The acting token id (`system` for Warden, `cli` for the local CLI; null on rows before ids were kept)' })
  principalTokenId: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The free `actor` label the caller sent, never trusted' }) actorLabel: string | null;
  @ApiProperty({ example: 'go_live.kill_switch.engage' }) action: string;
  @ApiProperty({ example: 'go_live' }) subject: string;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What changed (action-specific)' }) details: Record<string, unknown>;

  static from(row: AuditLogEntity): AuditEntryDto {
    return {
      id: row.id,
      at: new Date(row.at).toISOString(),
      principal: row.principal,
      principalTokenId: row.principalTokenId,
      actorLabel: row.actorLabel,
      action: row.action,
      subject: row.subject,
      reason: row.reason,
      details: row.details,
    };
  }
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items: AuditEntryDto[];
  @NextCursorProperty() next_cursor: string | null;
}
