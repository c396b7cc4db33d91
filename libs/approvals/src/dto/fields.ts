import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { KIND_PATTERN, MAX_APPROVALS, MAX_TTL_SECONDS, MIN_TTL_SECONDS, RISK_LEVELS, STORED_STATUSES } from '../decide/rules.js';

const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

/** The spelling only: which kinds exist is what the levers registered, checked by the service (400 as well). */
export function KindField(optional = false) {
  return applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({ description: "What the approval guards: a kind registered by the lever that owns it (e.g. manual, approvals' own)", example: 'manual' }),
    ...(optional ? [IsOptional()] : []),
    Matches(KIND_PATTERN, { message: '$property must be a registered approval kind' }),
  );
}

/** low|medium|high|critical; the original vocabulary's upper case (CRITICAL) is accepted. */
export function RiskLevelField(optional = true) {
  return applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({ enum: RISK_LEVELS, default: 'medium', description: 'critical needs at least two approvers' }),
    ...(optional ? [IsOptional()] : []),
    Transform(lower),
    IsIn(RISK_LEVELS, { message: `$property must be one of ${RISK_LEVELS.join(', ')}` }),
  );
}

export function StatusFilterField() {
  return applyDecorators(
    ApiPropertyOptional({ enum: STORED_STATUSES, description: 'Status as every reader sees it (a pending request past expires_at is expired)' }),
    IsOptional(),
    IsIn(STORED_STATUSES, { message: `$property must be one of ${STORED_STATUSES.join(', ')}` }),
  );
}

export function TimeoutSecondsField() {
  return applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: MIN_TTL_SECONDS, maximum: MAX_TTL_SECONDS, default: 3600, description: 'Time to decide; past it the request is expired (a rejection)' }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(MIN_TTL_SECONDS),
    Max(MAX_TTL_SECONDS),
  );
}

export function MinApprovalsField() {
  return applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_APPROVALS, description: 'Distinct approvals needed (default 1; critical at least 2)' }),
    IsOptional(),
    IsInt(),
    Min(1),
    Max(MAX_APPROVALS),
  );
}

/** `{id}` in a route: a UUID, else 400 before anything is read. */
export class ApprovalIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

export const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
