import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { NextCursorProperty, PageQueryDto } from '../../http/paging.js';
import { TextField } from '../../http/validation.js';
import type { DeliveryFilterStatus, DeliveryListRow, DeliveryStatus, DestinationSummaryRow } from '../outbox.repository.js';

const STATUSES: DeliveryStatus[] = ['pending', 'delivered', 'dead'];
const FILTER_STATUSES: DeliveryFilterStatus[] = ['pending', 'failing', 'delivered', 'dead'];
/** destinationKey(url): 16 hex digits. */
const DESTINATION = /^[0-9a-f]{16}$/;

/** `GET /api/governance/outbox`: the platform paging shape plus the delivery status and destination. */
export class OutboxQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: FILTER_STATUSES, description: 'pending (still retried), failing (pending, and an attempt failed already), delivered, or dead (given up; replayable)' })
  @IsOptional()
  @IsIn(FILTER_STATUSES, { message: `$property must be one of ${FILTER_STATUSES.join(', ')}` })
  status?: DeliveryFilterStatus;

  @ApiPropertyOptional({ description: 'Only deliveries to this destination (the `destination` key of an item or of GET /outbox/destinations)', example: '9f86d081884c7d65' })
  @IsOptional()
  @Matches(DESTINATION, { message: 'destination must be a destination key (16 hex digits)' })
  destination?: string;
}

/** `{id}` of a delivery: a decimal id, else 400 before anything is read. */
export class OutboxDeliveryIdParams {
  @ApiProperty({ description: 'Delivery id (the `id` of a GET /outbox item)', example: '42' })
  @Matches(/^[1-9][0-9]{0,17}$/, { message: 'id must be a delivery id' })
  id: string;
}

export class ReplayDeliveryRequestDto {
  @TextField('Why it is sent again (recorded in the audit trail)', { optional: true })
  reason?: string;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

/** One notification's delivery to one destination. */
export class OutboxDeliveryDto {
  @ApiProperty({ description: 'Delivery id; also the paging cursor', example: '42' }) id: string;
  @ApiProperty({ description: 'The notification id (the `id` of the webhook body; the same at every destination)', example: '17' }) notification_id: string;
  @ApiProperty({ example: 'approval.requested' }) topic: string;
  @ApiProperty({ example: 'approval:6f1c…' }) subject: string;
  @ApiProperty({ description: 'Stored key of the URL (first 16 hex digits of its SHA-256)' }) destination: string;
  @ApiProperty({ type: String, nullable: true, description: 'The URL, credentials redacted; null when it is no longer configured' }) url: string | null;
  @ApiProperty({ enum: STATUSES }) status: DeliveryStatus;
  @ApiProperty({ description: 'Pending, and at least one attempt failed (last_error says why)' }) failing: boolean;
  @ApiProperty({ description: 'Attempts since it was written or last replayed' }) attempts: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) first_attempt_at: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) next_attempt_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) delivered_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dead_at: string | null;
  @ApiProperty({ type: String, nullable: true }) last_error: string | null;
  @ApiProperty({ type: String, format: 'date-time', description: 'When the notification was written' }) created_at: string;

  static from(row: DeliveryListRow, url: string | null): OutboxDeliveryDto {
    return Object.assign(new OutboxDeliveryDto(), {
      id: row.id,
      notification_id: row.outbox_id,
      topic: row.topic,
      subject: row.subject,
      destination: row.destination,
      url,
      status: row.delivered_at ? 'delivered' : row.dead_at ? 'dead' : 'pending',
      failing: !row.delivered_at && !row.dead_at && row.last_error !== null,
      attempts: row.attempts,
      first_attempt_at: iso(row.first_attempt_at),
      next_attempt_at: iso(row.next_attempt_at)!,
      delivered_at: iso(row.delivered_at),
      dead_at: iso(row.dead_at),
      last_error: row.last_error,
      created_at: iso(row.created_at)!,
    });
  }
}

export class OutboxPageDto {
  @ApiProperty({ type: [OutboxDeliveryDto] }) items: OutboxDeliveryDto[];
  @NextCursorProperty() next_cursor: string | null;
}

/** One destination's open work (`GET /api/governance/outbox/destinations`). */
export class OutboxDestinationDto {
  @ApiProperty({ description: 'Stored key of the URL (first 16 hex digits of its SHA-256)' }) destination: string;
  @ApiProperty({ type: String, nullable: true, description: 'The URL, credentials redacted; null when it is no longer configured' }) url: string | null;
  @ApiProperty({ description: 'Whether the URL is in WARDEN_WEBHOOK_URLS' }) configured: boolean;
  @ApiProperty({ description: 'Deliveries still being tried' }) pending: number;
  @ApiProperty({ description: 'Of those, the ones with a failed attempt' }) failing: number;
  @ApiProperty({ description: 'Dead letters waiting for a replay' }) dead: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the oldest pending notification was written' }) oldest_pending_at: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The newest error of an undelivered delivery' }) last_error: string | null;

  static from(row: DestinationSummaryRow | { destination: string }, url: string | null): OutboxDestinationDto {
    const r = row as Partial<DestinationSummaryRow> & { destination: string };
    return Object.assign(new OutboxDestinationDto(), {
      destination: r.destination,
      url,
      configured: url !== null,
      pending: r.pending ?? 0,
      failing: r.failing ?? 0,
      dead: r.dead ?? 0,
      oldest_pending_at: iso(r.oldest_pending_at ?? null),
      last_error: r.last_error ?? null,
    });
  }
}

export class OutboxDestinationsDto {
  @ApiProperty({ type: [OutboxDestinationDto], description: 'Every configured destination, then any other with undelivered rows' }) destinations: OutboxDestinationDto[];
}
