import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { NotifyListener } from '../notify/notify-listener.js';

const CHANNEL = 'warden_tokens';
const ACK_CHANNEL = 'warden_tokens_ack';
/** How long a revoke waits for every instance to say its cache is cleared before it answers anyway. */
const ACK_WAIT_MS = 2000;

/**
 * Tells every instance that tokens changed, and waits until each has cleared its cache, so that
 * once a revoke answers no instance accepts the token (NOTIFY alone reaches another instance a few
 * milliseconds after the answer, and a request sent in between was accepted). Each instance
 * acknowledges on a second channel; the revoker waits for as many acknowledgements as there are
 * LISTEN connections (`warden-listen`) on the database, at most ACK_WAIT_MS.
 */
export class RevocationBroadcast {
  private readonly logger = new Logger('tokens');
  private readonly instance = randomUUID();
  private readonly waiting = new Map<string, { acked: Set<string>; wake: () => void }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly notify: NotifyListener,
  ) {}

  /** `clear` runs on every notification (and on a reconnect, when one may have been missed). */
  async subscribe(clear: () => void): Promise<void> {
    await this.notify.subscribe(CHANNEL, (payload) => {
      clear();
      if (payload.startsWith('revoke:')) void this.acknowledge(payload.slice(7));
    });
    await this.notify.subscribe(ACK_CHANNEL, (payload) => {
      const [nonce, instance] = payload.split(' ');
      const wait = this.waiting.get(nonce);
      if (!wait) return;
      wait.acked.add(instance);
      wait.wake();
    });
  }

  /** Inside the revoking transaction: the notification goes out when it commits. */
  async announce(manager: EntityManager): Promise<string> {
    const nonce = randomUUID();
    this.waiting.set(nonce, { acked: new Set(), wake: () => undefined });
    await manager.query(`SELECT pg_notify($1, $2)`, [CHANNEL, `revoke:${nonce}`]);
    return nonce;
  }

  /** After the commit: resolves once every listening instance has cleared its cache (or after ACK_WAIT_MS). */
  async settled(nonce: string): Promise<void> {
    const wait = this.waiting.get(nonce)!;
    try {
      const [{ n }] = await this.dataSource.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'warden-listen'`,
      );
      const deadline = Date.now() + ACK_WAIT_MS;
      while (wait.acked.size < n && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
          wait.wake = () => (clearTimeout(timer), resolve());
        });
      }
      if (wait.acked.size < n) this.logger.warn(`token revocation: ${wait.acked.size} of ${n} instances confirmed within ${ACK_WAIT_MS} ms; the others clear their cache on reconnect or within 5 s`);
    } catch (err) {
      this.logger.warn(`token revocation: could not wait for the other instances: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.waiting.delete(nonce);
    }
  }

  /** Drops a nonce whose transaction did not commit. */
  forget(nonce: string): void {
    this.waiting.delete(nonce);
  }

  private async acknowledge(nonce: string): Promise<void> {
    try {
      await this.dataSource.query(`SELECT pg_notify($1, $2)`, [ACK_CHANNEL, `${nonce} ${this.instance}`]);
    } catch {
      // The revoker then waits ACK_WAIT_MS; this instance's cache is already clear.
    }
  }
}
