import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, ValidateBy } from 'class-validator';
import { IdentifierField, TextField } from '#platform';
import { parseSignedAmount } from './amount.js';
import { CORRELATION_ID_PATTERN } from './reserve.dto.js';

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

  @ApiPropertyOptional({ description: 'Client key (or an Idempotency-Key header), scoped to the engine: a retry returns the original entry', example: 'adj-2025-11-21-1' })
  @IsOptional()
  @IsString()
  @Matches(CORRELATION_ID_PATTERN, { message: 'correlation_id must be 1-200 of [A-Za-z0-9._:-]' })
  correlation_id?: string;

  @TextField('Free label of who is acting (recorded beside the token principal)', { optional: true, max: 100 })
  actor?: string;
}
