import { ApiProperty } from '@nestjs/swagger';
import { NextCursorProperty, PageQueryDto } from '#platform';
import type { ApprovalRow, DecisionRow } from '../approvals.repository.js';
import type { ApprovalStatus } from '../decide/rules.js';
import { iso, KindField, StatusFilterField } from './fields.js';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';

export class DecisionResponseDto {
  @ApiProperty() approver: string;
  @ApiProperty() approver_role: string;
  @ApiProperty({ type: String, nullable: true, description: 'The person behind the approver (token:<owner>); null on decisions recorded before persons' })
  approver_person: string | null;
  @ApiProperty({ enum: ['approve', 'reject'] }) decision: 'approve' | 'reject';
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty() decided_at: string;

  static from(row: DecisionRow): DecisionResponseDto {
    return Object.assign(new DecisionResponseDto(), {
      approver: row.approver,
      approver_role: row.approver_role,
      approver_person: row.approver_person ?? null,
      decision: row.decision,
      reason: row.reason,
      decided_at: iso(row.decided_at)!,
    });
  }
}

export class ApprovalResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() kind: string;
  @ApiProperty() subject: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) payload: unknown;
  @ApiProperty() payload_digest: string;
  @ApiProperty({ type: String, nullable: true, description: 'The version of the state its act undoes, taken at filing: the act runs only while it is unchanged' })
  bound_version: string | null;
  @ApiProperty() requested_by: string;
  @ApiProperty() reason: string;
  @ApiProperty() risk_level: string;
  @ApiProperty() min_approvals: number;
  @ApiProperty({ description: 'Distinct approvals so far' }) approvals: number;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected', 'expired', 'cancelled'], description: 'A pending request past expires_at reads expired' })
  status: ApprovalStatus;
  @ApiProperty() created_at: string;
  @ApiProperty() expires_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decided_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) consumed_at: string | null;
  @ApiProperty({ type: [DecisionResponseDto], required: false }) decisions?: DecisionResponseDto[];

  static from(row: ApprovalRow, decisions?: DecisionRow[]): ApprovalResponseDto {
    return Object.assign(new ApprovalResponseDto(), {
      id: row.id,
      kind: row.kind,
      subject: row.subject,
      payload: row.payload,
      payload_digest: row.payload_digest,
      bound_version: row.bound_version ?? null,
      requested_by: row.requested_by,
      reason: row.reason,
      risk_level: row.risk_level,
      min_approvals: row.min_approvals,
      approvals: row.approvals,
      status: row.status,
      created_at: iso(row.created_at)!,
      expires_at: iso(row.expires_at)!,
      decided_at: iso(row.decided_at ?? (row.status === 'expired' ? row.expires_at : null)),
      consumed_at: iso(row.consumed_at),
      ...(decisions ? { decisions: decisions.map((d) => DecisionResponseDto.from(d)) } : {}),
    });
  }
}

export class ListApprovalsQueryDto extends PageQueryDto {
  @StatusFilterField()
  status?: ApprovalStatus;

  @KindField(true)
  kind?: string;

  @ApiPropertyOptional({ description: 'Only this subject' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  subject?: string;

  @ApiPropertyOptional({ enum: ['decisions'], description: 'decisions: each request carries its decisions so far, as GET /approvals/{id} does (one read for the page)' })
  @IsOptional()
  @IsIn(['decisions'])
  include?: 'decisions';
}

export class ApprovalPageDto {
  @ApiProperty({ type: [ApprovalResponseDto] }) items: ApprovalResponseDto[];
  @NextCursorProperty() next_cursor: string | null;
}
