import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { AmountField, CorrelationIdField, IdentifierField, TextField } from '#platform';
import type { CloseRow } from '../risk-ledger.rows.js';

class ReservationRefDto {
  @ApiPropertyOptional({ description: 'The reservation to close (or give correlation_id)', format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'reservation_id must be a UUID' })
  reservation_id?: string;

  @CorrelationIdField('The correlation_id it was reserved under (or give reservation_id)')
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

/** A day row's values after a settle or void (null: the row does not exist). */
export class LedgerValuesDto {
  @ApiProperty({ type: String, nullable: true }) exposure_used: string | null;
  @ApiProperty({ type: String, nullable: true }) open_risk_reserved: string | null;
  @ApiProperty({ type: String, nullable: true }) realized_loss: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) actions_count: number | null;

  static from(exposure: string | null, open: string | null, loss: string | null, actions: string | null): LedgerValuesDto {
    return { exposure_used: exposure, open_risk_reserved: open, realized_loss: loss, actions_count: actions === null ? null : Number(actions) };
  }
}

export class ClosedReservationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() correlation_id: string;
  @ApiProperty() engine: string;
  @ApiProperty({ example: '2025-11-21' }) day: string;
  @ApiProperty() amount: string;
  @ApiProperty({ enum: ['reserved', 'expired', 'settled', 'voided'] }) status: string;
  @ApiProperty({ type: String, nullable: true }) realized_loss: string | null;
  @ApiProperty({ format: 'date-time' }) reserved_at: string;
  @ApiProperty({ format: 'date-time' }) expires_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closed_at: string | null;
  @ApiProperty({ type: String, nullable: true }) close_reason: string | null;

  static from(row: CloseRow): ClosedReservationDto {
    return {
      id: row.reservation_id!,
      correlation_id: row.correlation_id!,
      engine: row.engine!,
      day: row.day!,
      amount: row.amount!,
      status: row.status!,
      realized_loss: row.realized_loss,
      reserved_at: new Date(row.reserved_at!).toISOString(),
      expires_at: new Date(row.expires_at!).toISOString(),
      closed_at: row.closed_at ? new Date(row.closed_at).toISOString() : null,
      close_reason: row.close_reason,
    };
  }
}

export class CloseLedgerDto {
  @ApiProperty({ description: "The reservation's own day" }) day: string;
  @ApiProperty({ type: LedgerValuesDto }) engine: LedgerValuesDto;
  @ApiProperty({ type: LedgerValuesDto }) global: LedgerValuesDto;
}

export class CloseResponseDto {
  @ApiProperty({ enum: ['settled', 'voided'] }) outcome: 'settled' | 'voided';
  @ApiProperty() idempotent_replay: boolean;
  @ApiProperty({ type: ClosedReservationDto }) reservation: ClosedReservationDto;
  @ApiProperty({ type: CloseLedgerDto, description: "The reservation's own day, after this change: its engine row and the GLOBAL row" }) ledger: CloseLedgerDto;

  static from(row: CloseRow, replay: boolean): CloseResponseDto {
    return {
      outcome: row.status === 'settled' ? 'settled' : 'voided',
      idempotent_replay: replay,
      reservation: ClosedReservationDto.from(row),
      ledger: {
        day: row.day!,
        engine: LedgerValuesDto.from(row.e_exposure, row.e_open, row.e_loss, row.e_actions),
        global: LedgerValuesDto.from(row.g_exposure, row.g_open, row.g_loss, row.g_actions),
      },
    };
  }
}
