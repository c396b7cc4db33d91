import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import pg from 'pg';
import { DatabaseRuntime } from '../database/database-runtime.js';

type Handler = (payload: string) => void;

/**
 * One dedicated connection per process that LISTENs on Warden's channels, so a state change made
 * by any instance reaches every other within milliseconds. On reconnect every subscriber is told
 * (payload 'reconnected') so it can re-read what it may have missed.
 */
@Injectable()
export class NotifyListener implements BeforeApplicationShutdown {
  private readonly logger = new Logger('notify');
  private readonly handlers = new Map<string, Set<Handler>>();
  private client?: pg.Client;
  private connecting?: Promise<void>;
  private closed = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(private readonly runtime: DatabaseRuntime) {}

  async subscribe(channel: string, handler: Handler): Promise<void> {
    const set = this.handlers.get(channel) ?? new Set();
    const isNew = set.size === 0;
    set.add(handler);
    this.handlers.set(channel, set);
    await this.ensureConnected();
    if (isNew && this.client) await this.client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  private ensureConnected(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: await this.runtime.url(), application_name: 'warden-listen' });
    client.on('error', (err) => this.dropped(client, err));
    client.on('end', () => this.dropped(client));
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.scheduleRetry();
      this.logger.warn(`LISTEN connection failed: ${String(err)}`);
      return;
    }
    client.on('notification', (msg) => this.dispatch(msg.channel, msg.payload ?? ''));
    this.client = client;
    for (const channel of this.handlers.keys()) this.dispatch(channel, 'reconnected');
  }

  private dropped(client: pg.Client, err?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (!this.closed) {
      this.logger.warn(`LISTEN connection lost${err ? `: ${err.message}` : ''}; retrying`);
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.ensureConnected();
    }, 500);
    this.retryTimer.unref();
  }

  private dispatch(channel: string, payload: string): void {
    for (const handler of this.handlers.get(channel) ?? []) {
      try {
        handler(payload);
      } catch (err) {
        this.logger.error(`handler for ${channel} failed: ${String(err)}`);
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
