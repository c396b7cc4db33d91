import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional notification outbox: rows written in the transaction of the event they
 * announce, delivered to the webhooks after commit (at least once, in id order per subject), the
 * delivery state kept in the row so a restart resumes where the crash left off.
 */
export class NotificationOutbox1763700001010 implements MigrationInterface {
  name = 'NotificationOutbox1763700001010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_outbox (
        id bigserial NOT NULL,
        topic text NOT NULL,
        subject text NOT NULL,
        body jsonb NOT NULL,
        text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        last_error text,
        CONSTRAINT pk_notification_outbox PRIMARY KEY (id)
      );
      -- The head of each subject (its oldest undelivered row) is what the dispatcher may send.
      CREATE INDEX ix_notification_outbox_undelivered ON notification_outbox (subject, id) WHERE delivered_at IS NULL;

      -- Wake the dispatchers when the inserting transaction commits (NOTIFY is transactional).
      CREATE FUNCTION notification_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('warden_outbox', '');
        RETURN NULL;
      END $$;
      CREATE TRIGGER notification_outbox_notify AFTER INSERT ON notification_outbox
        FOR EACH STATEMENT EXECUTE FUNCTION notification_outbox_notify();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE notification_outbox;
      DROP FUNCTION notification_outbox_notify();
    `);
  }
}
