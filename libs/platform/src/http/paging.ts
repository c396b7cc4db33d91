import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

const CANONICAL_INT = /^(0|[1-9][0-9]{0,8})$/;

/** `?limit=`: a canonical decimal integer in the query string, nothing coerced ("1e3", "0x10" are refused). */
function LimitField() {
  return applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 100, description: 'Page size' }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && CANONICAL_INT.test(value) ? Number(value) : value)),
    IsInt({ message: 'limit must be an integer written in decimal digits' }),
    Min(1),
    Max(500),
  );
}

/** `?since=` / `?until=`: an ISO 8601 instant with a zone. */
function InstantField(description: string) {
  return applyDecorators(
    ApiPropertyOptional({ type: String, format: 'date-time', description }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)) ? new Date(value) : value,
    ),
    IsDate({ message: '$property must be an ISO 8601 instant with a zone, e.g. 2025-11-21T00:00:00Z' }),
  );
}

/**
 * The one paging shape of every event list: newest first, `?before=<next_cursor>&limit=`, with an
 * optional `[since, until)` time range. Extend it with the list's own filters.
 */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'next_cursor of the previous page (older rows follow)', example: '1042' })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,17}$/, { message: 'before must be a next_cursor value' })
  before?: string;

  @LimitField()
  limit?: number;

  @InstantField('Only rows at or after this instant')
  since?: Date;

  @InstantField('Only rows before this instant')
  until?: Date;
}

export const DEFAULT_PAGE_LIMIT = 100;

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/**
 * Builds a page from rows fetched with `LIMIT limit + 1` in newest-first order: the extra row only
 * says whether an older page exists, so the last page never links to an empty one.
 */
export function toPage<R, T>(rows: R[], limit: number, cursorOf: (row: R) => string, map: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { items: kept.map(map), next_cursor: more ? cursorOf(kept[kept.length - 1]) : null };
}

/** Swagger helper for a page's `next_cursor`. */
export function NextCursorProperty() {
  return ApiProperty({ type: String, nullable: true, description: 'Pass as ?before= for the next (older) page; null on the last page' });
}
