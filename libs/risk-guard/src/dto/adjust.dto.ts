import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, ValidateBy } from 'class-validator';
import { CorrelationIdField, IdentifierField, parseSignedAmount, TextField } from '#platform';
import type { LossRow } from '../risk-ledger.rows.js';
import { RiskAdjustmentDto } from './ledger.dto.js';

/** POST /risk/adjust: an operator's compensating entry on a day's realized loss. */
export class AdjustRequestDto {
  @IdentifierField('Engine whose realized loss is corrected (its GLOBAL row follows)')
  engine: string;

  @ApiPropertyOptional({ description: 'UTC day (YYYY-MM-DD) whose ledger is corrected; default today; never a future day', example: '2025-11-21' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'day must be a UTC date YYYY-MM-DD' })
  day?: string;

  @ApiProperty({
    description: 'Signed decimal added to the day\'s realized loss (negative corrects a loss booked too high); not 0; the loss never goes below 0',
    type: String,
    example: '-12.5',
  })
  @Transform(({ value }: { value: unknown }) => {
    const parsed = parseSignedAmount(value);
    return parsed.ok ? parsed.value : value;
  })
  @ValidateBy({
    name: 'isSignedAmount',
    validator: {
      validate: (value: unknown) => parseSignedAmount(value).ok,
      defaultMessage: (args) => {
        const parsed = parseSignedAmount(args?.value);
        return `realized_loss_delta ${parsed.ok ? 'is invalid' : parsed.problem}`;
      },
    },
  })
  realized_loss_delta: string;

  @TextField('Why (required, audited)', { max: 500 })
  reason: string;

  @CorrelationIdField('Client key (or an Idempotency-Key header), scoped to the engine: a retry returns the original entry')
  correlation_id?: string;

  @TextField('Free label of who is acting (recorded beside the token principal)', { optional: true, max: 100 })
  actor?: string;
}

export class AdjustLedgerValuesDto {
  @ApiProperty() exposure_used: string;
  @ApiProperty() open_risk_reserved: string;
  @ApiProperty() realized_loss: string;
  @ApiProperty({ type: 'integer' }) actions_count: number;

  static from(row: LossRow | undefined): AdjustLedgerValuesDto | null {
    return row
      ? { exposure_used: row.exposure_used, open_risk_reserved: row.open_risk_reserved, realized_loss: row.realized_loss, actions_count: Number(row.actions_count) }
      : null;
  }
}

export class AdjustLedgerDto {
  @ApiProperty({ example: '2025-11-21' }) day: string;
  @ApiProperty({ type: AdjustLedgerValuesDto, nullable: true }) engine: AdjustLedgerValuesDto | null;
  @ApiProperty({ type: AdjustLedgerValuesDto, nullable: true }) global: AdjustLedgerValuesDto | null;
}

export class AdjustResponseDto {
  @ApiProperty({ description: 'true when this is the recorded entry of an earlier request with the same key' }) idempotent_replay: boolean;
  @ApiProperty({ type: RiskAdjustmentDto }) adjustment: RiskAdjustmentDto;
  @ApiProperty({ type: AdjustLedgerDto, description: "The adjusted day's engine and GLOBAL rows (after this entry; for a replay, as they are now)" })
  ledger: AdjustLedgerDto;

  static from(replay: boolean, row: Parameters<typeof RiskAdjustmentDto.from>[0], day: string, rows: { engine: LossRow | undefined; global: LossRow | undefined }): AdjustResponseDto {
    return {
      idempotent_replay: replay,
      adjustment: RiskAdjustmentDto.from(row),
      ledger: { day, engine: AdjustLedgerValuesDto.from(rows.engine), global: AdjustLedgerValuesDto.from(rows.global) },
    };
  }
}
