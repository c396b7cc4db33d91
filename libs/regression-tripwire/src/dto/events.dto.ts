import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
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
