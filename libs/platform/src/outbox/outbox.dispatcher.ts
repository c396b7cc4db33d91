import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { WardenConfig } from '../config/warden-config.js';
import { CoalescedRun } from '../jobs/coalesced-run.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { NotifyListener } from '../notify/notify-listener.js';
import { OutboxRepository, type OutboxRow } from './outbox.repository.js';
import { backoffMs, signWebhookBody, type WebhookPayload } from './webhook.js';

export const OUTBOX_CHANNEL = 'warden_outbox';
/** Rows claimed per round; each is the head of a different subject, delivered in parallel. */
const BATCH = 20;
/**
 * A claimed row is not taken again for this long: twice one POST round (all URLs in parallel, each
 * bounded by its timeout), so a live dispatcher always marks its row first; it is also how long a
 * row claimed by a process that then crashed waits before another (or the restarted one) retries it.
 */
const POST_TIMEOUT_MS = 5_000;
const LEASE_SECONDS = 10;
/** Retries come due without a NOTIFY: the dispatcher also looks every second. */
const POLL_MS = 1000;

/**
 * Delivers the notification outbox to WARDEN_WEBHOOK_URLS: woken by NOTIFY when an inserting
 * transaction commits (and every second for retries), it claims subject heads in a short
 * transaction, POSTs with no transaction open, then marks each row delivered or schedules its retry.
 * At least once: a crash after a POST and before the mark sends that row again.
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

  readonly deliveries: Counter<'outcome'>;

  constructor(
    private readonly config: WardenConfig,
    private readonly outbox: OutboxRepository,
    private readonly listener: NotifyListener,
    metrics: MetricsService,
  ) {
    this.deliveries = new Counter({
      name: 'warden_outbox_deliveries_total',
      help: 'Notification delivery attempts by outcome (delivered, failed)',
      labelNames: ['outcome'] as const,
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
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.WARDEN_WEBHOOK_URLS.length === 0) return;
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
    if (this.stopped) return;
    this.drains.kick();
  }

  /** Delivers until no subject head is due. Exposed for tests and the benchmark. */
  async drain(): Promise<void> {
    while (!this.stopped) {
      const rows = await this.outbox.claimHeads(BATCH, LEASE_SECONDS);
      if (rows.length === 0) return;
      await Promise.all(rows.map((row) => this.deliver(row)));
    }
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const payload: WebhookPayload = {
      id: Number(row.id),
      topic: row.topic,
      subject: row.subject,
      text: row.text,
      body: row.body,
      created_at: new Date(row.created_at).toISOString(),
    };
    const raw = JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-warden-topic': row.topic };
    if (this.config.WARDEN_WEBHOOK_SECRET) headers['x-warden-signature'] = signWebhookBody(this.config.WARDEN_WEBHOOK_SECRET, raw);
    // Every URL must accept; a retry goes to all of them again (at least once, per receiver).
    const failures: string[] = [];
    await Promise.all(
      this.config.WARDEN_WEBHOOK_URLS.map(async (url) => {
        try {
          const res = await fetch(url, { method: 'POST', headers, body: raw, signal: AbortSignal.timeout(POST_TIMEOUT_MS) });
          await res.arrayBuffer().catch(() => undefined);
          if (!res.ok) failures.push(`${url}: HTTP ${res.status}`);
        } catch (err) {
          failures.push(`${url}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`);
        }
      }),
    );
    if (failures.length === 0) {
      await this.outbox.markDelivered(row.id);
      this.deliveries.inc({ outcome: 'delivered' });
      return;
    }
    await this.outbox.markFailed(row.id, backoffMs(row.attempts), failures.join('; '));
    this.deliveries.inc({ outcome: 'failed' });
    this.logger.warn(`notification ${row.id} (${row.topic}) not delivered, attempt ${row.attempts}: ${failures.join('; ')}`);
  }
}
