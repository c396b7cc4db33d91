import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { IdentifierField, NextCursorProperty, PageQueryDto } from '#platform';
import { REGRESSION_EVENT_TYPES, type RegressionEventType } from '../regression-tripwire.constants.js';
import type { RegressionEventRow } from '../regression-state.repository.js';
import { OptionalMetricField } from './fields.js';

/** `GET /regression/events`: the platform's paging shape (`before`, `limit`, `since`, `until`) plus the tripwire's filters. */
export class EventsQueryDto extends PageQueryDto {
  @IdentifierField('Only this domain', true)
  domain?: string;

  @OptionalMetricField('Only this metric')
  metric?: string;

  @ApiPropertyOptional({ enum: REGRESSION_EVENT_TYPES })
  @IsOptional()
  @IsIn(REGRESSION_EVENT_TYPES as unknown as string[])
  type?: RegressionEventType;

  @IdentifierField('Only triggers and actions aimed at this engine (the policy’s target_engine)', true)
  target_engine?: string;
}

/** `{id}` of a tripwire event: a decimal id, else 400 before anything is read. */
export class RegressionEventIdParams {
  @ApiProperty({ description: 'Event id (the `id` of a GET /regression/events item)', example: '42' })
  @Matches(/^[1-9][0-9]{0,17}$/, { message: 'id must be a tripwire event id' })
  id: string;
}

export class RegressionEventResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() at: string;
  @ApiProperty() domain: string;
  @ApiProperty() metric: string;
  @ApiProperty({ enum: REGRESSION_EVENT_TYPES }) type: RegressionEventType;
  @ApiProperty({ nullable: true, type: String }) status: string | null;
  @ApiProperty({ nullable: true, type: String }) action: string | null;
  @ApiProperty() principal: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) details: Record<string, unknown>;

  static from(r: RegressionEventRow): RegressionEventResponseDto {
    return { id: r.id, at: new Date(r.at).toISOString(), domain: r.domain, metric: r.metric, type: r.type, status: r.status, action: r.action, principal: r.principal, details: r.details };
  }
}

export class RegressionEventPageDto {
  @ApiProperty({ type: [RegressionEventResponseDto] }) items: RegressionEventResponseDto[];
  @NextCursorProperty() next_cursor: string | null;
}
