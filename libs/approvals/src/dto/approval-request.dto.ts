import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { CorrelationIdField, TextField } from '#platform';
import { type ApprovalStatus, STORED_STATUSES } from '../decide/rules.js';
import type { ApprovalRow } from '../approvals.repository.js';
import { KindField, MinApprovalsField, RiskLevelField, TimeoutSecondsField } from './fields.js';

export class CreateApprovalRequestDto {
  @KindField()
  kind: string;

  @ApiProperty({ description: 'What the act is about, e.g. an engine, a recommendation id, a run/phase', example: 'engine:WHOLESALE' })
  @IsString()
  @Matches(/^\S.{0,199}$/s, { message: 'subject must be 1-200 characters, not starting with a space' })
  subject: string;

  @ApiPropertyOptional({ description: 'The act to approve (JSON object); the grant is bound to its digest', type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;

  @TextField('Why the act is needed', { max: 1000 })
  reason: string;

  @RiskLevelField()
  risk_level?: string;

  @MinApprovalsField()
  min_approvals?: number;

  @TimeoutSecondsField()
  timeout_seconds?: number;

  @CorrelationIdField()
  correlation_id?: string;
}

/** 202: the request exists and waits for a decision. */
export class ApprovalCreatedResponseDto {
  @ApiProperty({ format: 'uuid' }) approval_id: string;
  @ApiProperty({ enum: STORED_STATUSES, example: 'pending' }) status: ApprovalStatus;
  @ApiProperty() expires_at: string;
  @ApiProperty() min_approvals: number;
  @ApiProperty({ description: 'requestDigest(kind, {subject, payload}): what consume() must present' }) payload_digest: string;

  static from(row: ApprovalRow): ApprovalCreatedResponseDto {
    return Object.assign(new ApprovalCreatedResponseDto(), {
      approval_id: row.id,
      status: row.status,
      expires_at: new Date(row.expires_at).toISOString(),
      min_approvals: row.min_approvals,
      payload_digest: row.payload_digest,
    });
  }
}
