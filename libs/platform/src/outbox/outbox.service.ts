import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { WardenConfig } from '../config/warden-config.js';
import { OutboxRepository } from './outbox.repository.js';
import { destinationKey } from './webhook.js';

export interface Notification {
  /** What happened, dotted: `approval.requested`, `kill_switch.engaged`, `tripwire.fired` ... */
  topic: string;
  /** What it happened to, e.g. `approval:<id>` or `engine:WHOLESALE`; delivery is in order per subject. */
  subject: string;
  /** The structured event (JSON). */
  body: Record<string, unknown>;
  /** One human line, Slack-compatible. */
  text: string;
}

/**
 * The transactional outbox: a lever calls `enqueue` with the manager of the transaction that makes
 * the change, so the notification exists if and only if the change committed, with one delivery
 * per configured URL (each tracked on its own). The dispatcher delivers them after commit. With no WARDEN_WEBHOOK_URLS configured, notifications are off and
 * nothing is written (nothing would ever deliver it).
 */
@Injectable()
export class OutboxService {
  constructor(
    private readonly config: WardenConfig,
    private readonly outbox: OutboxRepository,
  ) {}

  get enabled(): boolean {
    return this.config.WARDEN_WEBHOOK_URLS.length > 0;
  }

  /** Writes the notification in the caller's transaction; returns its id (null when notifications are off). */
  async enqueue(manager: Pick<EntityManager, 'query'>, notification: Notification): Promise<string | null> {
    if (!this.enabled) return null;
    return this.outbox.insert(manager, notification, this.config.WARDEN_WEBHOOK_URLS.map(destinationKey));
  }
}
