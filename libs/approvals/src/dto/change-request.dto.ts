import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import type { ChangeRequestView } from '../decide/change-diff.js';
import { ApprovalCreatedResponseDto } from './approval-request.dto.js';

/** 202: the change is a pending request (the approval's fields) and this is what it would change. */
export class ChangeRequestCreatedResponseDto extends ApprovalCreatedResponseDto {
  @ApiProperty({
    description: 'What the change would do: {control, subject, base_version, before, after, diff: [{path, before, after}]} (also the approval\'s payload.change_request)',
    type: 'object',
    additionalProperties: true,
  })
  change_request: ChangeRequestView;
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
