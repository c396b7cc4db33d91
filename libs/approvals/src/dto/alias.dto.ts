import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { TextField } from '#platform';
import type { ApprovalRow } from '../approvals.repository.js';
import { aliasStatus, type AliasStatus } from '../decide/rules.js';
import { iso, RiskLevelField, TimeoutSecondsField } from './fields.js';

const ID_TEXT = /^[A-Za-z0-9._:/-]{1,90}$/;

/** The original agent platform's body: `POST /approval/request`. */
export class AliasRequestDto {
  @ApiProperty({ example: 'research-system-v1' })
  @IsString()
  @Matches(ID_TEXT, { message: 'run_id must be 1-90 of [A-Za-z0-9._:/-]' })
  run_id: string;

  @ApiProperty({ example: 'research-integration' })
  @IsString()
  @Matches(ID_TEXT, { message: 'phase_id must be 1-90 of [A-Za-z0-9._:/-]' })
  phase_id: string;

  @TextField('Why approval is needed', { max: 1000 })
  reason: string;

  @RiskLevelField()
  risk_level?: string;

  @TimeoutSecondsField()
  timeout_seconds?: number;
}

export class AliasRejectDto {
  @TextField('Why (optional in this vocabulary; "no reason given" is recorded without one)', { optional: true, max: 1000 })
  reason?: string;
}

export class AliasStatusResponseDto {
  @ApiProperty({ format: 'uuid' }) approval_id: string;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected', 'timeout', 'cancelled'] }) status: AliasStatus;
  @ApiPropertyOptional() run_id?: string;
  @ApiPropertyOptional() phase_id?: string;
  @ApiProperty() kind: string;
  @ApiProperty() subject: string;
  @ApiProperty() reason: string;
  @ApiProperty({ example: 'CRITICAL' }) risk_level: string;
  @ApiProperty() approved: boolean;
  @ApiProperty() created_at: string;
  @ApiProperty() expires_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decided_at: string | null;

  static from(row: ApprovalRow): AliasStatusResponseDto {
    const payload = (row.payload ?? {}) as { run_id?: string; phase_id?: string };
    return Object.assign(new AliasStatusResponseDto(), {
      approval_id: row.id,
      status: aliasStatus(row.status),
      run_id: payload.run_id,
      phase_id: payload.phase_id,
      kind: row.kind,
      subject: row.subject,
      reason: row.reason,
      risk_level: row.risk_level.toUpperCase(),
      approved: row.status === 'approved',
      created_at: iso(row.created_at)!,
      expires_at: iso(row.expires_at)!,
      decided_at: iso(row.decided_at ?? (row.status === 'expired' ? row.expires_at : null)),
    });
  }
}

export class AliasPendingResponseDto {
  @ApiProperty({ description: 'Pending, unexpired requests' }) count: number;
  @ApiProperty({ type: [AliasStatusResponseDto], description: 'The newest 100 of them' }) requests: AliasStatusResponseDto[];
}
