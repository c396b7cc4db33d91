import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, ValidateBy } from 'class-validator';
import { IdentifierField, IntegerField } from '#platform';

const isUtcDay = (v: unknown) =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

export class RiskEventsQueryDto {
  @IdentifierField('Only this engine', true)
  engine?: string;

  @ApiPropertyOptional({ description: 'Only this UTC day', example: '2025-11-21' })
  @IsOptional()
  @ValidateBy({ name: 'isUtcDay', validator: { validate: isUtcDay, defaultMessage: () => 'day must be a valid YYYY-MM-DD date' } })
  day?: string;

  @ApiPropertyOptional({ description: 'allowed, allowed_observed, denied, settled, voided, expired, closed', example: 'denied' })
  @IsOptional()
  @Matches(/^[a-z_]{1,32}$/, { message: 'outcome must match [a-z_]{1,32}' })
  outcome?: string;

  @ApiPropertyOptional({ enum: ['reserve', 'settle', 'void', 'expire', 'day_close'] })
  @IsOptional()
  @IsIn(['reserve', 'settle', 'void', 'expire', 'day_close'])
  kind?: string;

  @ApiPropertyOptional({ description: 'Cursor: next_cursor of the previous page' })
  @IsOptional()
  @Matches(/^[0-9]{1,18}$/, { message: 'before must be an event id' })
  before?: string;

  @IntegerField('Page size (default 100)', { min: 1, max: 500, optional: true, example: 100 })
  limit?: number;
}
