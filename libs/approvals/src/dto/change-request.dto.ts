import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import type { ChangeRequestView } from '../decide/change-diff.js';
import { ApprovalCreatedResponseDto } from './approval-request.dto.js';

const ANY_JSON = { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'object', additionalProperties: true }, { type: 'array', items: {} }] };
/** Any JSON value or null (OpenAPI 3.0 has no null type: one alternative is nullable). */
const ANY_JSON_OR_NULL = { oneOf: [{ type: 'string', nullable: true }, ...ANY_JSON.oneOf.slice(1)] };

/** One changed field. */
export class ChangeDiffEntryDto {
  @ApiProperty({ example: 'max_open_risk', description: 'Dotted path of the field (nested objects walked; lists and texts compared whole)' }) path: string;
  @ApiProperty({ ...ANY_JSON_OR_NULL, description: 'The value now (null: absent)', example: '100' }) before: unknown;
  @ApiProperty({ ...ANY_JSON_OR_NULL, description: 'The value proposed (null: absent)', example: '80' }) after: unknown;
}

/** What a change request would change: also the approval's payload.change_request. */
export class ChangeRequestDto implements ChangeRequestView {
  @ApiProperty({ example: 'risk.policy', description: 'The control (what WARDEN_CHANGE_REQUESTS names)' }) control: string;
  @ApiProperty({ example: 'WHOLESALE', description: 'Which one: the engine, the domain, DOMAIN/metric, the gate policy, promotion_rules' }) subject: string;
  @ApiProperty({ description: 'The control_version it was proposed against (absent: the control did not exist)' }) base_version: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The control now, without bookkeeping; null when it does not exist yet' })
  before: Record<string, unknown> | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The control as the change would leave it' }) after: Record<string, unknown>;
  @ApiProperty({ type: [ChangeDiffEntryDto] }) diff: ChangeDiffEntryDto[];
}

/** 202: the change is a pending request (the approval's fields) and this is what it would change. */
export class ChangeRequestCreatedResponseDto extends ApprovalCreatedResponseDto {
  @ApiProperty({ type: ChangeRequestDto, description: "What the change would do (also the approval's payload.change_request)" })
  change_request: ChangeRequestDto;
}

/**
 * The optional `base_version` of a control's change: the `control_version` the caller read. When it
 * is no longer the control's version the change is refused, 409 control_version_conflict.
 */
export function BaseVersionField(): PropertyDecorator {
  return (target, key) => {
    ApiPropertyOptional({ description: 'The control_version you read (GET): refused with 409 control_version_conflict if the control changed since', example: 'absent' })(target, key);
    IsOptional()(target, key);
    IsString()(target, key);
    Matches(/^(absent|[0-9a-f]{32})$/, { message: 'base_version must be a control_version (32 hex digits, or absent)' })(target, key);
  };
}
