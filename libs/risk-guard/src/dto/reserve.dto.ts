import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { BooleanField, IdentifierField, TextField } from '#platform';
import { AmountField } from './amount.js';

export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;

export class ReserveRequestDto {
  @IdentifierField('Engine taking the risk (its policy and GLOBAL must both admit it)')
  engine: string;

  @AmountField('Risk to reserve')
  amount: string;

  @ApiPropertyOptional({
    description: 'Client key (or send an Idempotency-Key header): a retry with the same key and body returns the original answer',
    example: 'deal-2025-0001',
  })
  @IsOptional()
  @IsString()
  @Matches(CORRELATION_ID_PATTERN, { message: 'correlation_id must be 1-200 of [A-Za-z0-9._:-]' })
  correlation_id?: string;

  @TextField('Why the engine takes this risk (recorded)', { optional: true, max: 500 })
  reason?: string;

  @BooleanField('Answer as if reserving, without reserving: records nothing and consumes no key')
  dry_run?: boolean;
}

export class ReservationResponseDto {
  @ApiProperty({ enum: ['allowed', 'allowed_observed'] }) outcome: string;
  @ApiProperty() reservation_id: string;
  @ApiProperty() correlation_id: string;
  @ApiProperty() engine: string;
  @ApiProperty({ example: '125.5' }) amount: string;
  @ApiProperty({ description: 'UTC day the reservation counts on (and settles onto)', example: '2025-11-21' }) day: string;
  @ApiProperty({ enum: ['reserved', 'expired', 'settled', 'voided'], description: 'Current status (a replay may find it settled)' }) status: string;
  @ApiProperty() reserved_at: string;
  @ApiProperty({ description: 'Past this the reservation is marked expired: still open risk until settled or voided' }) expires_at: string;
  @ApiProperty({ type: [String], description: 'observe mode: the caps that would have denied' }) observed_reason_codes: string[];
  @ApiProperty({ description: 'true when this is the recorded answer to an earlier request with the same key' }) idempotent_replay: boolean;
}
