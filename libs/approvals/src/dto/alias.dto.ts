import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Matches, ValidateIf } from 'class-validator';
import { TextField } from '#platform';
import type { ApprovalRow, DecisionRow } from '../approvals.repository.js';
import { aliasStatus, type AliasStatus } from '../decide/rules.js';
import { iso, RiskLevelField, TimeoutSecondsField } from './fields.js';

const ID_TEXT = /^[A-Za-z0-9._:/-]{1,90}$/;

/**
 * The original agent platform's body: `POST /approval/request`. Its own agents send
 * `{run_id, phase_id, context, decision_info, deletion_info?}` and no reason: `context` stands in
 * for the reason then. Warden's spelling (`reason`, `risk_level`, `timeout_seconds`) is accepted too.
 */
export class AliasRequestDto {
  @ApiProperty({ example: 'research-system-v1' })
  @IsString()
  @Matches(ID_TEXT, { message: 'run_id must be 1-90 of [A-Za-z0-9._:/-]' })
  run_id: string;

  @ApiProperty({ example: 'research-integration' })
  @IsString()
  @Matches(ID_TEXT, { message: 'phase_id must be 1-90 of [A-Za-z0-9._:/-]' })
  phase_id: string;

  @ValidateIf((o: AliasRequestDto) => o.context === undefined || o.reason !== undefined)
  @TextField('Why approval is needed (required unless context is given)', { max: 1000 })
  reason?: string;

  @TextField("The original's context (e.g. build113_risky_decision); the reason when none is given", { optional: true, max: 200 })
  context?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "The original's decision metadata, kept in the payload" })
  @IsOptional()
  @IsObject()
  decision_info?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "The original's deletion details, kept in the payload" })
  @IsOptional()
  @IsObject()
  deletion_info?: Record<string, unknown>;

  @RiskLevelField()
  risk_level?: string;

  @TimeoutSecondsField()
  timeout_seconds?: number;

  /** What is stored: run_id and phase_id always, the original's extras only when sent (so an old body keeps its digest). */
  payload(): Record<string, unknown> {
    const extras = { context: this.context, decision_info: this.decision_info, deletion_info: this.deletion_info };
    return { run_id: this.run_id, phase_id: this.phase_id, ...Object.fromEntries(Object.entries(extras).filter(([, v]) => v !== undefined)) };
  }
}

export class AliasRejectDto {
  @TextField('Why (optional in this vocabulary; "no reason given" is recorded without one)', { optional: true, max: 1000 })
  reason?: string;
}

/** The original's `response_method` values: Warden's decisions are made through its API or console. */
const RESPONSE_METHODS = ['dashboard', 'timeout'] as const;
type ResponseMethod = (typeof RESPONSE_METHODS)[number];

const TIMEOUT_REASON = 'Auto-rejected after timeout';

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * One request in the original's keys (`approval_id, run_id, phase_id, status, requested_at,
 * responded_at, timeout_at, approval_reason, rejected_reason, response_method`), beside Warden's
 * own (`kind, subject, reason, risk_level, approved, created_at, expires_at, decided_at`).
 */
export class AliasStatusResponseDto {
  @ApiProperty({ format: 'uuid' }) approval_id: string;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected', 'timeout', 'cancelled'] }) status: AliasStatus;
  @ApiProperty({ type: String, nullable: true, description: "The payload's run_id (a request filed here has one)" }) run_id: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The payload's phase_id" }) phase_id: string | null;
  @ApiProperty({ format: 'date-time', description: 'created_at' }) requested_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When decided, cancelled, or timed out (then timeout_at); null while pending' })
  responded_at: string | null;
  @ApiProperty({ format: 'date-time', description: 'expires_at' }) timeout_at: string;
  @ApiProperty({ type: String, nullable: true, description: 'When approved: each approver\'s reason, else "Approved by <approver>"' }) approval_reason: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'When rejected: the reason given (else "Rejected by <approver>"); on timeout "Auto-rejected after timeout"' })
  rejected_reason: string | null;
  @ApiProperty({ enum: RESPONSE_METHODS, nullable: true, description: 'dashboard: decided by a person through the API or console; timeout: expired; null while pending or when cancelled' })
  response_method: ResponseMethod | null;
  @ApiProperty() kind: string;
  @ApiProperty() subject: string;
  @ApiProperty() reason: string;
  @ApiProperty({ example: 'CRITICAL' }) risk_level: string;
  @ApiProperty() approved: boolean;
  @ApiProperty() created_at: string;
  @ApiProperty() expires_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decided_at: string | null;

  /** `decisions`: the request's decisions (for the reasons); a pending request needs none. */
  static from(row: ApprovalRow, decisions: readonly DecisionRow[] = []): AliasStatusResponseDto {
    const payload = (row.payload ?? {}) as Record<string, unknown>;
    const status = aliasStatus(row.status);
    const decidedAt = iso(row.decided_at ?? (row.status === 'expired' ? row.expires_at : null));
    const said = (d: 'approve' | 'reject', verb: string) =>
      decisions
        .filter((x) => x.decision === d)
        .map((x) => x.reason || `${verb} by ${x.approver}`)
        .join('; ') || null;
    return Object.assign(new AliasStatusResponseDto(), {
      approval_id: row.id,
      status,
      run_id: text(payload.run_id),
      phase_id: text(payload.phase_id),
      requested_at: iso(row.created_at)!,
      responded_at: status === 'pending' ? null : decidedAt,
      timeout_at: iso(row.expires_at)!,
      approval_reason: status === 'approved' ? (said('approve', 'Approved') ?? 'Approved') : null,
      rejected_reason: status === 'rejected' ? (said('reject', 'Rejected') ?? 'Rejected') : status === 'timeout' ? TIMEOUT_REASON : null,
      response_method: status === 'approved' || status === 'rejected' ? 'dashboard' : status === 'timeout' ? 'timeout' : null,
      kind: row.kind,
      subject: row.subject,
      reason: row.reason,
      risk_level: row.risk_level.toUpperCase(),
      approved: row.status === 'approved',
      created_at: iso(row.created_at)!,
      expires_at: iso(row.expires_at)!,
      decided_at: decidedAt,
    });
  }
}

/** A pending request as the original lists it: `id` (its key there) besides everything above, and the original's payload fields. */
export class AliasPendingItemDto extends AliasStatusResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The same as approval_id (the original lists requests by id)' }) id: string;
  @ApiProperty({ type: String, nullable: true }) context: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) decision_info: Record<string, unknown> | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) deletion_info: Record<string, unknown> | null;

  static fromPending(row: ApprovalRow): AliasPendingItemDto {
    const payload = (row.payload ?? {}) as Record<string, unknown>;
    const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
    return Object.assign(new AliasPendingItemDto(), AliasStatusResponseDto.from(row), {
      id: row.id,
      context: text(payload.context),
      decision_info: obj(payload.decision_info),
      deletion_info: obj(payload.deletion_info),
    });
  }
}

export class AliasPendingResponseDto {
  @ApiProperty({ description: 'Pending, unexpired requests' }) count: number;
  @ApiProperty({ type: [AliasPendingItemDto], description: 'The newest 100 of them' }) requests: AliasPendingItemDto[];
}
