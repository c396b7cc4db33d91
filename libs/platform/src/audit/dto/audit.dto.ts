import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { NextCursorProperty, PageQueryDto } from '../../http/paging.js';
import type { AuditLogEntity } from '../audit-log.entity.js';

/** Printable, no control characters: what a subject, action or name can be. */
const PRINTABLE = /^[^\p{Cc}]{1,200}$/u;

/**
 * `GET /api/governance/audit`: the platform paging shape (newest first, `?before=<next_cursor>`,
 * `[since, until)`) plus the trail's own filters, all combined with AND.
 */
export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only rows about this subject (e.g. go_live, token:<id>, risk_policy:WHOLESALE)', example: 'go_live' })
  @IsOptional() @IsString() @MaxLength(200) @Matches(PRINTABLE, { message: 'subject must be 1-200 printable characters' })
  subject?: string;

  @ApiPropertyOptional({ description: 'Only this action (e.g. go_live.kill_switch.engage)', example: 'go_live.kill_switch.engage' })
  @IsOptional() @IsString() @MaxLength(200) @Matches(PRINTABLE, { message: 'action must be 1-200 printable characters' })
  action?: string;

  @ApiPropertyOptional({ description: "Only what this principal did (the acting token's name, or a lever's name for Warden's own acts)", example: 'ops-alice' })
  @IsOptional() @IsString() @MaxLength(200) @Matches(PRINTABLE, { message: 'principal must be 1-200 printable characters' })
  principal?: string;

  @ApiPropertyOptional({ description: 'Only what this token did (a token id from /api/governance/tokens, `system` or `cli`)' })
  @IsOptional() @IsString() @MaxLength(64)
  principal_token_id?: string;
}

/** One audit row, snake_case like the rest of the API (issue 22: it was camelCase before). */
export class AuditEntryDto {
  @ApiProperty({ description: 'Row id; also the paging cursor', example: '1042' }) id: string;
  @ApiProperty({ type: String, format: 'date-time' }) at: string;
  @ApiProperty({ description: "The acting token's name" }) principal: string;
  @ApiProperty({ type: String, nullable: true, description: 'The acting token id (`system` for Warden, `cli` for the local CLI; null on rows before ids were kept)' })
  principal_token_id: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The free `actor` label the caller sent, never trusted' }) actor_label: string | null;
  @ApiProperty({ example: 'go_live.kill_switch.engage' }) action: string;
  @ApiProperty({ example: 'go_live' }) subject: string;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What changed (action-specific; a change carries `before` and `after`)' }) details: Record<string, unknown>;

  static from(row: AuditLogEntity): AuditEntryDto {
    return Object.assign(new AuditEntryDto(), {
      id: row.id,
      at: new Date(row.at).toISOString(),
      principal: row.principal,
      principal_token_id: row.principalTokenId,
      actor_label: row.actorLabel,
      action: row.action,
      subject: row.subject,
      reason: row.reason,
      details: row.details,
    });
  }
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items: AuditEntryDto[];
  @NextCursorProperty() next_cursor: string | null;
}
