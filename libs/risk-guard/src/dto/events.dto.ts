import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, ValidateBy } from 'class-validator';
import { IDEMPOTENCY_KEY_PATTERN, IdentifierField, NextCursorProperty, PageQueryDto } from '#platform';
import type { EventRow } from '../risk-ledger.rows.js';

const isUtcDay = (v: unknown) =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

const KINDS = ['reserve', 'settle', 'void', 'expire', 'day_close'];

/** GET /risk/events: the platform page (`before`, `limit`, `since`, `until`) and the list's own filters. */
export class RiskEventsQueryDto extends PageQueryDto {
  @IdentifierField('Only this engine', true)
  engine?: string;

  @ApiPropertyOptional({ description: 'Only this UTC day', example: '2025-11-21' })
  @IsOptional()
  @ValidateBy({ name: 'isUtcDay', validator: { validate: isUtcDay, defaultMessage: () => 'day must be a valid YYYY-MM-DD date' } })
  day?: string;

  @ApiPropertyOptional({ description: 'allowed, allowed_observed, denied, settled, voided, refused, expired, closed', example: 'denied' })
  @IsOptional()
  @Matches(/^[a-z_]{1,32}$/, { message: 'outcome must match [a-z_]{1,32}' })
  outcome?: string;

  @ApiPropertyOptional({ enum: KINDS })
  @IsOptional()
  @IsIn(KINDS)
  kind?: string;

  @ApiPropertyOptional({ description: "Only events of this client key (the request's correlation_id); with kind=reserve, the one decision on that request", example: 'deal-2025-11-21-0001' })
  @IsOptional()
  @Matches(IDEMPOTENCY_KEY_PATTERN, { message: 'correlation_id must be 1-200 of [A-Za-z0-9._:-]' })
  correlation_id?: string;
}

/** `{id}` of a risk event: a decimal id (the `id` of a GET /risk/events item), else 400 before anything is read. */
export class RiskEventIdParams {
  @ApiProperty({ description: 'Event id', example: '42' })
  @Matches(/^[1-9][0-9]{0,17}$/, { message: 'id must be a risk event id' })
  id: string;
}

export class RiskEventDto {
  @ApiProperty({ description: 'Event id (also the paging cursor)' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ example: '2025-11-21' }) day: string;
  @ApiProperty() engine: string;
  @ApiProperty({ enum: KINDS }) kind: string;
  @ApiProperty({ example: 'denied' }) outcome: string;
  @ApiProperty({ type: String, nullable: true }) correlation_id: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) reservation_id: string | null;
  @ApiProperty({ type: String, nullable: true }) amount: string | null;
  @ApiProperty({ type: String, nullable: true }) realized_loss: string | null;
  @ApiProperty({ type: [String] }) reason_codes: string[];
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty() principal: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) details: Record<string, unknown> | null;

  static from(r: EventRow): RiskEventDto {
    return { ...r, at: new Date(r.at).toISOString() };
  }
}

export class RiskEventsPageDto {
  @ApiProperty({ type: [RiskEventDto] }) items: RiskEventDto[];
  @NextCursorProperty() next_cursor: string | null;
}
