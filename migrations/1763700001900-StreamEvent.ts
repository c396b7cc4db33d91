import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The control-state stream's log (docs/stream.md): one row per change, written in the change's
 * transaction, read by `GET /api/governance/stream` to resume a client from `Last-Event-ID`.
 *
 * The event id a client sees is assigned at COMMIT, not at INSERT: a deferred trigger takes one
 * advisory lock, draws the next id and NOTIFYs. Ids therefore increase in commit order, so a reader
 * that sees id N committed knows every lower id is committed or gone for good (a bigserial drawn at
 * INSERT would let a later id commit first and a resume skip the earlier one). The lock is held only
 * from the trigger to the end of the commit, after every statement of the transaction: it cannot
 * take part in a deadlock with the levers' own row locks.
 *
 * Append-only: the one UPDATE allowed is the trigger's (setting the id once); DELETE is retention's,
 * oldest ids first, and `stream_log.pruned_through` says up to where.
 */
export class StreamEvent1763700001900 implements MigrationInterface {
  name = 'StreamEvent1763700001900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE SEQUENCE stream_event_id_seq;
      CREATE TABLE stream_event (
        row_id bigserial NOT NULL,
        id bigint,
        lever text NOT NULL,
        type text NOT NULL,
        engines text[],
        domains text[],
        principal text,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT pk_stream_event PRIMARY KEY (row_id),
        CONSTRAINT ux_stream_event_id UNIQUE (id)
      );
      COMMENT ON COLUMN stream_event.id IS 'the event id (SSE id), drawn at commit in commit order; null only inside the writing transaction';
      COMMENT ON COLUMN stream_event.engines IS 'scope: only tokens bound to one of these engines (or unbound) see it; null = no engine scope';
      COMMENT ON COLUMN stream_event.principal IS 'scope: only this principal sees it (decisions on its own approval requests)';
      CREATE INDEX ix_stream_event_created_at ON stream_event (created_at);

      CREATE TABLE stream_log (
        singleton boolean NOT NULL DEFAULT true,
        pruned_through bigint NOT NULL DEFAULT 0,
        CONSTRAINT pk_stream_log PRIMARY KEY (singleton),
        CONSTRAINT ck_stream_log_singleton CHECK (singleton)
      );
      COMMENT ON COLUMN stream_log.pruned_through IS 'every event id above it is still in stream_event: a resume from at least here misses nothing';
      INSERT INTO stream_log DEFAULT VALUES;

      CREATE FUNCTION stream_event_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        next_id bigint;
        payload text;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('warden:stream_event'));
        next_id := nextval('stream_event_id_seq');
        UPDATE stream_event SET id = next_id WHERE row_id = NEW.row_id;
        -- The event itself rides on the NOTIFY when it fits (8000 bytes); otherwise its id, and the
        -- listeners read the row.
        payload := json_build_object('id', next_id::text, 'lever', NEW.lever, 'type', NEW.type, 'engines', NEW.engines,
          'domains', NEW.domains, 'principal', NEW.principal, 'data', NEW.data, 'created_at', NEW.created_at)::text;
        IF octet_length(payload) > 7900 THEN
          payload := json_build_object('id', next_id::text)::text;
        END IF;
        PERFORM pg_notify('warden_stream', payload);
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER stream_event_commit AFTER INSERT ON stream_event
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION stream_event_commit();

      CREATE FUNCTION stream_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.id IS NULL AND NEW.id IS NOT NULL AND NEW.row_id = OLD.row_id AND NEW.lever = OLD.lever AND NEW.type = OLD.type
           AND NEW.data = OLD.data AND NEW.created_at = OLD.created_at AND NEW.engines IS NOT DISTINCT FROM OLD.engines
           AND NEW.domains IS NOT DISTINCT FROM OLD.domains AND NEW.principal IS NOT DISTINCT FROM OLD.principal THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'table stream_event is append-only: only its commit trigger sets an id, once' USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER stream_event_guard BEFORE UPDATE ON stream_event FOR EACH ROW EXECUTE FUNCTION stream_event_guard();
      CREATE TRIGGER stream_event_no_truncate BEFORE TRUNCATE ON stream_event FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE stream_event;
      DROP TABLE stream_log;
      DROP SEQUENCE stream_event_id_seq;
      DROP FUNCTION stream_event_commit();
      DROP FUNCTION stream_event_guard();
    `);
  }
}
