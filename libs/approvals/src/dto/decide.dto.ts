import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { TextField } from '#platform';
import { KindField } from './fields.js';

export class ApproveRequestDto {
  @TextField('Why (recorded with the decision and in the audit log)', { optional: true, max: 1000 })
  reason?: string;
}

export class RejectRequestDto {
  @TextField('Why the act is refused (required)', { max: 1000 })
  reason: string;
}

export class CancelRequestDto {
  @TextField('Why the requester withdraws it', { optional: true, max: 1000 })
  reason?: string;
}

/** Consume a grant over HTTP: only its requester, once, with the kind and payload digest it was granted for. */
export class ConsumeRequestDto {
  @KindField()
  kind: string;

  @ApiProperty({ description: 'payload_digest answered when the request was filed' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'payload_digest must be a base64url SHA-256 digest' })
  payload_digest: string;
}
