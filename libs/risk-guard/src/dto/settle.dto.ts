import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { IdentifierField, TextField } from '#platform';
import { AmountField } from './amount.js';
import { CORRELATION_ID_PATTERN } from './reserve.dto.js';

class ReservationRefDto {
  @ApiPropertyOptional({ description: 'The reservation to close (or give correlation_id)' })
  @IsOptional()
  @IsUUID('all', { message: 'reservation_id must be a UUID' })
  reservation_id?: string;

  @ApiPropertyOptional({ description: 'The correlation_id it was reserved under (or give reservation_id)' })
  @IsOptional()
  @IsString()
  @Matches(CORRELATION_ID_PATTERN, { message: 'correlation_id must be 1-200 of [A-Za-z0-9._:-]' })
  correlation_id?: string;

  @IdentifierField(
    'With correlation_id: the engine whose key it is (keys are scoped per engine). Optional for a token bound to one engine, and when the key names a single reservation within the caller\'s binding',
    true,
  )
  engine?: string;
}

export class SettleRequestDto extends ReservationRefDto {
  @AmountField('Loss the action realized (0 if none)', { allowZero: true, example: '0' })
  realized_loss: string;

  @TextField('Note recorded with the settlement', { optional: true, max: 500 })
  reason?: string;
}

export class VoidRequestDto extends ReservationRefDto {
  @TextField('Why the reservation is released without a settlement (required)', { max: 500 })
  reason: string;
}

class LedgerValuesDto {
  @ApiProperty({ nullable: true }) exposure_used: string;
  @ApiProperty({ nullable: true }) open_risk_reserved: string;
  @ApiProperty({ nullable: true }) realized_loss: string;
  @ApiProperty({ nullable: true }) actions_count: number;
}

class ClosedReservationDto {
  @ApiProperty() id: string;
  @ApiProperty() correlation_id: string;
  @ApiProperty() engine: string;
  @ApiProperty() day: string;
  @ApiProperty() amount: string;
  @ApiProperty({ enum: ['settled', 'voided'] }) status: string;
  @ApiProperty({ nullable: true }) realized_loss: string;
  @ApiProperty() reserved_at: string;
  @ApiProperty() expires_at: string;
  @ApiProperty({ nullable: true }) closed_at: string;
  @ApiProperty({ nullable: true }) close_reason: string;
}

class CloseLedgerDto {
  @ApiProperty({ description: "The reservation's own day" }) day: string;
  @ApiProperty({ type: LedgerValuesDto }) engine: LedgerValuesDto;
  @ApiProperty({ type: LedgerValuesDto }) global: LedgerValuesDto;
}

export class CloseResponseDto {
  @ApiProperty({ enum: ['settled', 'voided'] }) outcome: string;
  @ApiProperty() idempotent_replay: boolean;
  @ApiProperty({ type: ClosedReservationDto }) reservation: ClosedReservationDto;
  @ApiProperty({ type: CloseLedgerDto }) ledger: CloseLedgerDto;
}
