import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { redactUrl } from '../config/redact.js';
import { WardenConfig } from '../config/warden-config.js';
import { CoalescedRun } from '../jobs/coalesced-run.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { NotifyListener } from '../notify/notify-listener.js';
import { type DeliveryRow, OutboxRepository } from './outbox.repository.js';
import { destinationKey, backoffMs, signWebhookBody, SIGNATURE_HEADER, TIMESTAMP_HEADER, type WebhookPayload } from './webhook.js';
import { postWebhook } from './webhook-client.js';

export const OUTBOX_CHANNEL = 'warden_outbox';
/** Deliveries claimed per round; each is the head of a different (destination, subject), sent in parallel. */
const BATCH = 20;
/**
 * A claimed row is not taken again for this long: twice one POST (bounded by its timeout, body
 * included), so a live dispatcher always marks its row first; it is also how long a row claimed by
 * a process that then crashed waits before another (or the restarted one) retries it.
 */
const POST_TIMEOUT_MS = 5_000;
const LEASE_SECONDS = 10;
/** Retries come due without a NOTIFY: the dispatcher also looks every second. */
const POLL_MS = 1000;

/**
 * Delivers the notification outbox to WARDEN_WEBHOOK_URLS, each destination on its own: woken by
 * NOTIFY when an inserting transaction commits (and every second for retries), it claims the heads
 * of (destination, subject) in a short transaction, POSTs with no transaction open, then marks each
 * delivery done, schedules its retry, or dead-letters it. At least once per destination: a crash
 * after a POST and before the mark sends that delivery again (to that destination only).
 */
@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('outbox');
  private readonly drains = new CoalescedRun(
    () => this.drain(),
    (err: unknown) => this.logger.warn(`outbox drain failed: ${String(err)}`),
  );
  private stopped = false;
  private timer?: NodeJS.Timeout;
  /** destinationKey -> URL, of the configured URLs only. */
  private readonly urls = new Map<string, string>();

  readonly deliveries: Counter<'outcome'>;
  readonly deadLettered: Counter;

  constructor(
    private readonly config: WardenConfig,
    private readonly outbox: OutboxRepository,
    private readonly listener: NotifyListener,
    metrics: MetricsService,
  ) {
    for (const url of config.WARDEN_WEBHOOK_URLS) this.urls.set(destinationKey(url), url);
    this.deliveries = new Counter({
      name: 'warden_outbox_deliveries_total',
      help: 'Notification delivery attempts (one per destination) by outcome (delivered, failed)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    this.deadLettered = new Counter({
      name: 'warden_outbox_dead_lettered_total',
      help: 'Deliveries given up after WARDEN_WEBHOOK_DEAD_AFTER_ATTEMPTS attempts or WARDEN_WEBHOOK_DEAD_AFTER_SECONDS (replayable)',
      registers: [metrics.registry],
    });
    const repo = this.outbox;
    new Gauge({
      name: 'warden_outbox_undelivered',
      help: 'Notifications written but not yet delivered to every webhook',
      registers: [metrics.registry],
      async collect() {
        this.set(await repo.undelivered().catch(() => -1));
      },
    });
    new Gauge({
      name: 'warden_outbox_dead',
      help: 'Dead-lettered deliveries waiting for an operator (GET /api/governance/outbox?status=dead)',
      registers: [metrics.registry],
      async collect() {
        this.set(await repo.dead().catch(() => -1));
      },
    });
  }

  /** The configured URL of a stored destination key (undefined once it left WARDEN_WEBHOOK_URLS). */
  /** The destination keys of WARDEN_WEBHOOK_URLS, in the order configured. */
  configuredDestinations(): string[] {
    return [...this.urls.keys()];
  }

  urlOf(destination: string): string | undefined {
    return this.urls.get(destination);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.urls.size === 0) return;
    const keys = [...this.urls.keys()];
    const backfilled = await this.outbox.backfill(keys);
    const orphaned = await this.outbox.deadLetterUnconfigured(keys);
    if (backfilled) this.logger.log(`outbox: ${backfilled} deliveries created for notifications written before per-destination delivery`);
    if (orphaned) this.logger.warn(`outbox: ${orphaned} deliveries dead-lettered: their URL is no longer in WARDEN_WEBHOOK_URLS`);
    await this.listener.subscribe(OUTBOX_CHANNEL, () => this.kick());
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
    this.kick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.drains.settled();
  }

  /** Runs a drain now, or once more after the one in progress (one drain at a time per process). */
  kick(): void {
    if (this.stopped || this.urls.size === 0) return;
    this.drains.kick();
  }

  /** Delivers until no head is due. Exposed for tests and the benchmark. */
  async drain(): Promise<void> {
    const keys = [...this.urls.keys()];
    while (!this.stopped) {
      const rows = await this.outbox.claimHeads(BATCH, LEASE_SECONDS, keys);
      if (rows.length === 0) return;
      await Promise.all(rows.map((row) => this.deliver(row)));
    }
  }

  private async deliver(row: DeliveryRow): Promise<void> {
    const url = this.urls.get(row.destination)!; // claimHeads takes configured destinations only
    const payload: WebhookPayload = {
      id: Number(row.outbox_id),
      topic: row.topic,
      subject: row.subject,
      text: row.text,
      body: row.body,
      created_at: new Date(row.created_at).toISOString(),
    };
    const raw = JSON.stringify(payload);
    // Wall time, not the app's Clock: the receiver checks it against its own clock, per attempt.
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-warden-topic': row.topic, [TIMESTAMP_HEADER]: String(timestamp) };
    if (this.config.WARDEN_WEBHOOK_SECRET) headers[SIGNATURE_HEADER] = signWebhookBody(this.config.WARDEN_WEBHOOK_SECRET, timestamp, raw);
    const result = await postWebhook(url, raw, headers, POST_TIMEOUT_MS);
    if (result.ok) {
      await this.outbox.markDelivered(row.id);
      this.deliveries.inc({ outcome: 'delivered' });
      return;
    }
    const error = `${redactUrl(url)}: ${result.error}`;
    const dead = await this.outbox.markFailed(row.id, backoffMs(row.attempts), error, {
      maxAttempts: this.config.WARDEN_WEBHOOK_DEAD_AFTER_ATTEMPTS,
      maxAgeSeconds: this.config.WARDEN_WEBHOOK_DEAD_AFTER_SECONDS,
    });
    this.deliveries.inc({ outcome: 'failed' });
    if (dead) this.deadLettered.inc();
    const what = dead ? 'dead-lettered (replay: POST /api/governance/outbox/{id}/replay)' : 'not delivered';
    this.logger.warn(`notification ${row.outbox_id} (${row.topic}) delivery ${row.id} ${what}, attempt ${row.attempts}: ${error}`);
  }
}
