import { ApiProperty } from '@nestjs/swagger';
import { NextCursorProperty, PageQueryDto } from '#platform';
import type { WeeklyReport } from '../decide/report.js';
import type { ReviewRow, ReviewSummaryRow } from '../review.repository.js';

export class ReviewQueryDto extends PageQueryDto {}

export class ReviewSummaryDto {
  @ApiProperty({ example: '2026-W48' }) week: string;
  @ApiProperty({ description: 'Monday 00:00 UTC that starts the week' }) week_start: string;
  @ApiProperty() generated_at: string;
  @ApiProperty({ description: "'job' for the Monday job, else the principal who asked" }) generated_by: string;
  @ApiProperty({ description: 'SHA-256 (hex) of the canonical JSON (RFC 8785) of the report' }) digest: string;
  @ApiProperty({ description: 'How many items need attention' }) attention: number;

  static from(row: ReviewSummaryRow): ReviewSummaryDto {
    return Object.assign(new ReviewSummaryDto(), {
      week: row.week,
      week_start: row.week_start.toISOString(),
      generated_at: row.generated_at.toISOString(),
      generated_by: row.generated_by,
      digest: row.digest,
      attention: Number(row.attention),
    });
  }
}

export class ReviewPageDto {
  @ApiProperty({ type: [ReviewSummaryDto] }) items: ReviewSummaryDto[];
  @NextCursorProperty() next_cursor: string | null;
}

export class ReviewDto {
  @ApiProperty({ example: '2026-W48' }) week: string;
  @ApiProperty() generated_at: string;
  @ApiProperty() generated_by: string;
  @ApiProperty({ description: 'SHA-256 (hex) of the canonical JSON (RFC 8785) of `report`' }) digest: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'week, from, to, generated_at, needs_attention[], sections[] ({key, title, status: ok|not_built_yet, data}), jobs',
  })
  report: WeeklyReport;

  static from(row: ReviewRow): ReviewDto {
    return Object.assign(new ReviewDto(), {
      week: row.week,
      generated_at: row.generated_at.toISOString(),
      generated_by: row.generated_by,
      digest: row.digest,
      report: row.report,
    });
  }
}
