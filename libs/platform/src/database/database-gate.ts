import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';

/** Thrown (fast) while the database is known to be unreachable; mapped to 503 governance_unavailable. */
export class DatabaseUnavailableError extends Error {
  readonly code = 'WARDEN_DATABASE_UNAVAILABLE';
  constructor(message = 'the database is unreachable: failing closed') {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

export interface GateSettings {
  /** How to reach the database for the recovery probe (the pool's own connection options). */
  connection: pg.ClientConfig;
  connectTimeoutMs: number;
  probeIntervalMs: number;
}

/**
 * Knows whether the database answers. A query that outlives its client-side timeout or a connection
 * that cannot be made trips it; while tripped every new query and connection fails at once (so a
 * queue of work behind a hung database answers 503 in one timeout, not one timeout each), and a
 * probe on a fresh connection closes it again as soon as the server answers `SELECT 1`.
 */
@Injectable()
export class DatabaseGate implements OnApplicationShutdown {
  private readonly logger = new Logger('database');
  private settings?: GateSettings;
  private trippedAt?: number;
  private probeTimer?: NodeJS.Timeout;
  private probing?: pg.Client;
  private closed = false;
  /** While true (migrations and seeds at start) queries run without the request timeouts. */
  maintenance = false;

  configure(settings: GateSettings): void {
    this.settings = settings;
  }

  get down(): boolean {
    return this.trippedAt !== undefined;
  }

  /** Fails fast while the database is known to be down. */
  assertUp(): void {
    if (this.trippedAt !== undefined) throw new DatabaseUnavailableError();
  }

  trip(reason: unknown): void {
    if (this.closed || this.trippedAt !== undefined) return;
    this.trippedAt = Date.now();
    this.logger.warn(`database unreachable (${reason instanceof Error ? reason.message : String(reason)}): failing closed until it answers`);
    // Probe at once: a statement that was merely slow (a loaded machine) closes the gate again within
    // one fresh `SELECT 1`, instead of failing every request for a whole probe interval.
    this.scheduleProbe(0);
  }

  onApplicationShutdown(): void {
    this.closed = true;
    this.trippedAt = undefined;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    void this.probing?.end().catch(() => undefined);
  }

  private scheduleProbe(delayMs = this.settings?.probeIntervalMs ?? 0): void {
    if (this.closed || !this.settings) return;
    this.probeTimer = setTimeout(() => void this.probe(), delayMs);
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    if (this.closed || !this.settings) return;
    const { connection, connectTimeoutMs } = this.settings;
    const client = new pg.Client({ ...connection, connectionTimeoutMillis: connectTimeoutMs, query_timeout: connectTimeoutMs });
    this.probing = client;
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      if (this.trippedAt !== undefined && !this.closed) {
        this.logger.warn(`database answers again after ${Date.now() - this.trippedAt} ms`);
        this.trippedAt = undefined;
      }
    } catch {
      // still down
    } finally {
      this.probing = undefined;
      await client.end().catch(() => undefined);
    }
    if (this.trippedAt !== undefined) this.scheduleProbe();
  }
}
