import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delivery state per destination (docs/approvals.md "Notification outbox"): one row per
 * notification and webhook URL, so a dead URL neither re-sends to the others (each is marked on its
 * own) nor delays them (each destination has its own head per subject and its own backoff), and a
 * delivery that keeps failing is dead-lettered (dead_at) instead of retried forever. The outbox
 * row's attempts / delivered_at / last_error stay as a summary: delivered_at is set once every
 * destination has it. Rows left undelivered by the old dispatcher get their deliveries when a
 * dispatcher starts (it knows the URLs; a migration does not).
 */
export class OutboxPerDestination1763700001720 implements MigrationInterface {
  name = 'OutboxPerDestination1763700001720';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_delivery (
        id bigserial NOT NULL,
        outbox_id bigint NOT NULL,
        -- destinationKey(url): the URL itself may be a credential, so it is not stored.
        destination text NOT NULL,
        -- The notification's subject, copied so each destination's head per subject is one index scan.
        subject text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        first_attempt_at timestamptz,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        dead_at timestamptz,
        last_error text,
        CONSTRAINT pk_notification_delivery PRIMARY KEY (id),
        CONSTRAINT fk_notification_delivery_outbox FOREIGN KEY (outbox_id) REFERENCES notification_outbox (id) ON DELETE CASCADE,
        CONSTRAINT ux_notification_delivery_outbox_destination UNIQUE (outbox_id, destination)
      );
      -- What a dispatcher may send: the oldest open row per (destination, subject).
      CREATE INDEX ix_notification_delivery_open ON notification_delivery (destination, subject, outbox_id)
        WHERE delivered_at IS NULL AND dead_at IS NULL;
      -- The dead letters (gauge, GET /outbox?status=dead).
      CREATE INDEX ix_notification_delivery_dead ON notification_delivery (id) WHERE dead_at IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_delivery`);
  }
}
