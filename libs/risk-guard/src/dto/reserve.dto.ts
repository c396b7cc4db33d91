import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AmountField, BooleanField, CorrelationIdField, IdentifierField, TextField } from '#platform';
import type { ReserveItem, ReserveRow } from '../risk-ledger.rows.js';

export type AdmittedOutcome = 'allowed' | 'allowed_observed';

export class ReserveRequestDto {
  @IdentifierField('Engine taking the risk (its policy and GLOBAL must both admit it)')
  engine: string;

  @AmountField('Risk to reserve')
  amount: string;

  @CorrelationIdField('Client key (or send an Idempotency-Key header): a retry with the same key and body returns the original answer')
  correlation_id?: string;

  @TextField('Why the engine takes this risk (recorded)', { optional: true, max: 500 })
  reason?: string;

  @ApiPropertyOptional({ example: false })
  @BooleanField('Answer as if reserving, without reserving: records nothing and consumes no key')
  dry_run?: boolean;
}

/** An admitted reservation (201), also the original answer a retry gets back. */
export class ReservationResponseDto {
  @ApiProperty({ enum: ['allowed', 'allowed_observed'] }) outcome: AdmittedOutcome;
  @ApiProperty({ format: 'uuid' }) reservation_id: string;
  @ApiProperty() correlation_id: string;
  @ApiProperty({ example: 'WHOLESALE' }) engine: string;
  @ApiProperty({ example: '125.5' }) amount: string;
  @ApiProperty({ description: 'UTC day the reservation counts on (and settles onto)', example: '2025-11-21' }) day: string;
  @ApiProperty({ enum: ['reserved', 'expired', 'settled', 'voided'], description: 'Current status (a replay may find it settled)' }) status: string;
  @ApiProperty({ format: 'date-time' }) reserved_at: string;
  @ApiProperty({ format: 'date-time', description: 'Past this the reservation is marked expired: still open risk until settled or voided' }) expires_at: string;
  @ApiProperty({ type: [String], description: 'observe mode: the caps that would have denied' }) observed_reason_codes: string[];
  @ApiProperty({ description: 'true when this is the recorded answer to an earlier request with the same key' }) idempotent_replay: boolean;

  static from(item: ReserveItem, row: ReserveRow, outcome: AdmittedOutcome, replay: boolean): ReservationResponseDto {
    return {
      outcome,
      reservation_id: row.reservation_id!,
      correlation_id: item.correlationId,
      engine: item.engine,
      amount: item.amount,
      day: row.day!,
      status: row.status!,
      reserved_at: row.reserved_at!.toISOString(),
      expires_at: row.expires_at!.toISOString(),
      observed_reason_codes: outcome === 'allowed_observed' ? row.reason_codes : [],
      idempotent_replay: replay,
    };
  }
}

/** What a reservation would get now: nothing reserved, recorded or counted (whatIf, and the base of a dry run). */
export class WhatIfResponseDto {
  @ApiProperty() allowed: boolean;
  @ApiProperty({ enum: ['allowed', 'allowed_observed', 'denied'] }) outcome: AdmittedOutcome | 'denied';
  @ApiProperty({ example: 'WHOLESALE' }) engine: string;
  @ApiProperty({ example: '125.5' }) amount: string;
  @ApiProperty({ example: '2025-11-21' }) day: string;
  @ApiProperty({ type: [String] }) reason_codes: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'GLOBAL and engine scopes: caps, usage, headroom' }) details: Record<string, unknown>;
}

/** dry_run (200): the answer a real call would get, nothing reserved. */
export class DryRunResponseDto {
  @ApiProperty({ enum: [true] }) dry_run: true;
  @ApiProperty({ enum: ['allowed', 'allowed_observed'] }) outcome: AdmittedOutcome;
  @ApiProperty({ example: 'WHOLESALE' }) engine: string;
  @ApiProperty({ example: '125.5' }) amount: string;
  @ApiProperty({ example: '2025-11-21' }) day: string;
  @ApiProperty({ type: [String] }) reason_codes: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'GLOBAL and engine scopes: caps, usage, headroom' }) details: Record<string, unknown>;

  static from(answer: WhatIfResponseDto): DryRunResponseDto {
    const { engine, amount, day, reason_codes, details } = answer;
    return { dry_run: true, outcome: answer.outcome as AdmittedOutcome, engine, amount, day, reason_codes, details };
  }
}
