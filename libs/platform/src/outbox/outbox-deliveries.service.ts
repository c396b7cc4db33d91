import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { redactUrl } from '../config/redact.js';
import { DEFAULT_PAGE_LIMIT, toPage } from '../http/paging.js';
import { OutboxDeliveryDto, OutboxDestinationDto, type OutboxDestinationsDto, type OutboxPageDto, type OutboxQueryDto } from './dto/outbox.dto.js';
import { OutboxDispatcher } from './outbox.dispatcher.js';
import { OutboxErrors } from './outbox.errors.js';
import { type DeliveryListRow, OutboxRepository } from './outbox.repository.js';

/** The operator's view of the outbox: deliveries by status, and the replay of a dead letter. */
@Injectable()
export class OutboxDeliveriesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
    private readonly audit: AuditService,
  ) {}

  async list(query: OutboxQueryDto): Promise<OutboxPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await this.outbox.list({ status: query.status, destination: query.destination, before: query.before, since: query.since, until: query.until, limit });
    return toPage(rows, limit, (r) => r.id, (r) => this.dto(r));
  }

  /** Every configured destination (idle ones too), then any unconfigured one still holding undelivered rows. */
  async destinations(): Promise<OutboxDestinationsDto> {
    const rows = new Map((await this.outbox.destinations()).map((r) => [r.destination, r]));
    const keys = [...new Set([...this.dispatcher.configuredDestinations(), ...rows.keys()])];
    return {
      destinations: keys.map((key) => {
        const url = this.dispatcher.urlOf(key);
        return OutboxDestinationDto.from(rows.get(key) ?? { destination: key }, url ? redactUrl(url) : null);
      }),
    };
  }

  /**
   * Puts a dead letter back in the queue with a fresh attempt count and age, audited in the same
   * transaction. It is sent ahead of any later notification of its subject still waiting for that
   * destination; the ones already delivered after it stay delivered (a replay arrives late: the
   * receiver orders by the body's `id` / `created_at` if it must).
   */
  async replay(principal: Principal, id: string, reason?: string): Promise<OutboxDeliveryDto> {
    const row = await this.dataSource.transaction(async (m) => {
      const found = await this.outbox.find(id, m);
      if (!found) throw OutboxErrors.raise('outbox_delivery_not_found', `no outbox delivery ${id}`);
      if (!found.dead_at || found.delivered_at) {
        throw OutboxErrors.raise('outbox_delivery_not_dead', `delivery ${id} is ${found.delivered_at ? 'delivered' : 'pending'}: only a dead letter is replayed`);
      }
      if (!this.dispatcher.urlOf(found.destination)) {
        throw OutboxErrors.raise('outbox_destination_not_configured', `delivery ${id} goes to a URL no longer in WARDEN_WEBHOOK_URLS`);
      }
      const replayed = await this.outbox.replay(m, id);
      if (!replayed) throw OutboxErrors.raise('outbox_delivery_not_dead', `delivery ${id} changed concurrently`);
      await this.audit.record(m, principal, {
        action: 'outbox.replay',
        subject: `outbox_delivery:${id}`,
        reason: reason ?? null,
        details: { notification_id: found.outbox_id, topic: found.topic, subject: found.subject, destination: found.destination, attempts: found.attempts, dead_at: found.dead_at, last_error: found.last_error },
      });
      return replayed;
    });
    this.dispatcher.kick();
    return this.dto(row);
  }

  private dto(row: DeliveryListRow): OutboxDeliveryDto {
    const url = this.dispatcher.urlOf(row.destination);
    return OutboxDeliveryDto.from(row, url ? redactUrl(url) : null);
  }
}
