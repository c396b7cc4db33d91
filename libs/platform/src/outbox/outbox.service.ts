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
 * nothing is written (nothing would ever deliver it); a topic WARDEN_WEBHOOK_TOPICS leaves out is not
 * written either.
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

  /** Whether a notification of this topic would be written: a caller may skip building it, or a transaction it needs only for it. */
  wants(topic: string): boolean {
    return this.enabled && topicSelected(topic, this.config.WARDEN_WEBHOOK_TOPICS);
  }

  /** Writes the notification in the caller's transaction; returns its id (null when notifications are off or its topic is filtered out). */
  async enqueue(manager: Pick<EntityManager, 'query'>, notification: Notification): Promise<string | null> {
    if (!this.wants(notification.topic)) return null;
    return this.outbox.insert(manager, notification, this.config.WARDEN_WEBHOOK_URLS.map(destinationKey));
  }
}

/** WARDEN_WEBHOOK_TOPICS' rule: unset selects every topic; `a.b` selects that topic, `a.*` every topic under `a.`, `*` all. */
export function topicSelected(topic: string, patterns: readonly string[] | undefined): boolean {
  if (patterns === undefined) return true;
  return patterns.some((p) => p === '*' || p === topic || (p.endsWith('.*') && topic.startsWith(p.slice(0, -1))));
}
