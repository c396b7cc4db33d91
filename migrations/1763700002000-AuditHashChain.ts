import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hash chains on the append-only logs, and a journal of every change to the state tables
 * (docs/audit.md). Each log's rows are chained in `audit_chain_block`, one block per INSERT statement:
 * for the i-th row of a log, `leaf_i = SHA-256(UTF-8 canonical(row))` and
 * `hash_i = SHA-256(hash_(i-1) || leaf_i)` (hash_0 = 32 zero bytes), where canonical(row) is
 * `jsonb_strip_nulls(to_jsonb(row) - <order column>)::text` rendered with TimeZone UTC. A block keeps
 * its rows' order values and leaves, the hash before its first row and the hash after its last.
 *
 * A statement-level AFTER INSERT trigger (transition table) writes the block, so no writer can skip
 * it: it hashes the statement's rows first, then locks the log's row in `audit_chain_head` (held to
 * commit: blocks of one log are appended in commit order), links them, and moves the head once. Rows
 * an INSERT ... ON CONFLICT DO NOTHING skipped are not in the transition table, so never chained.
 *
 * The functions are SECURITY DEFINER (owned by the schema owner): the head and block tables have
 * row-level security with a read-only policy, so the application role can read them but neither
 * move a head nor write a block, whatever table grants it is given at start.
 *
 * This file is frozen once landed: the log list and the SQL are written out here, not imported.
 */
const ZERO_HASH = '0'.repeat(64);
/** Rows per block when chaining rows already present (keeps each block's arrays small). */
const BACKFILL_BLOCK = 10000;

/** Each chained log and the column that orders it (its bigint key, or `seq` where the id is a uuid). */
const LOGS: readonly { table: string; order: string; stamp?: boolean }[] = [
  // The audit trail's id and time are the database's, never a caller's: a forged row cannot be
  // back-dated or placed among older ids (a cheap row trigger without any lock).
  { table: 'audit_log', order: 'id', stamp: true },
  { table: 'risk_event', order: 'id' },
  { table: 'approval_decision', order: 'id' },
  { table: 'gate_decision', order: 'seq' },
  { table: 'promotion_decision', order: 'seq' },
  { table: 'state_change_log', order: 'id', stamp: true },
];

/** State tables journaled into state_change_log by a trigger, with the column naming a row. */
const STATE_TABLES: readonly { table: string; key: string }[] = [
  { table: 'go_live_state', key: 'id' },
  { table: 'risk_policy', key: 'engine' },
  { table: 'api_token', key: 'id' },
  { table: 'approval_request', key: 'id' },
];

const leaf = (row: string, order: string) => `sha256(convert_to(jsonb_strip_nulls(to_jsonb(${row}) - '${order}')::text, 'UTF8'))`;

function chainFunction(log: (typeof LOGS)[number]): string {
  return `
    CREATE FUNCTION warden_chain_${log.table}() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = pg_catalog, public SET "TimeZone" = 'UTC' AS $fn$
    DECLARE
      p bigint[]; l bytea[]; x bytea; prev bytea; h bytea; b bigint;
    BEGIN
      -- Content first, outside the head lock: only the linking below is serial.
      SELECT array_agg(t.${log.order} ORDER BY t.${log.order}), array_agg(${leaf('t', log.order)} ORDER BY t.${log.order})
        INTO p, l FROM new_rows t;
      IF p IS NULL THEN RETURN NULL; END IF;
      SELECT decode(head_hash, 'hex'), blocks + 1 INTO STRICT prev, b FROM audit_chain_head WHERE log = '${log.table}' FOR UPDATE;
      h := prev;
      FOREACH x IN ARRAY l LOOP h := sha256(h || x); END LOOP;
      INSERT INTO audit_chain_block (log, block, prev_hash, block_hash, pos, leaf) VALUES ('${log.table}', b, prev, h, p, l);
      UPDATE audit_chain_head SET rows = rows + cardinality(p), blocks = b, head_hash = encode(h, 'hex') WHERE log = '${log.table}';
      RETURN NULL;
    END $fn$;
    CREATE TRIGGER zz_${log.table}_chain AFTER INSERT ON ${log.table} REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION warden_chain_${log.table}();`;
}

function stampFunction(log: (typeof LOGS)[number], sequence: string): string {
  return `
    CREATE FUNCTION warden_stamp_${log.table}() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public AS $fn$
    BEGIN
      NEW.${log.order} := nextval('${sequence}'::regclass);
      NEW.at := now();
      RETURN NEW;
    END $fn$;
    CREATE TRIGGER zz_${log.table}_stamp BEFORE INSERT ON ${log.table} FOR EACH ROW EXECUTE FUNCTION warden_stamp_${log.table}();`;
}

export class AuditHashChain1763700002000 implements MigrationInterface {
  name = 'AuditHashChain1763700002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_chain_head (
        log text NOT NULL,
        order_column text NOT NULL,
        rows bigint NOT NULL,
        blocks bigint NOT NULL,
        head_hash text NOT NULL,
        CONSTRAINT pk_audit_chain_head PRIMARY KEY (log),
        CONSTRAINT ck_audit_chain_head_hash CHECK (head_hash ~ '^[0-9a-f]{64}$')
      );
      ALTER TABLE audit_chain_head ENABLE ROW LEVEL SECURITY;
      CREATE POLICY audit_chain_head_read ON audit_chain_head FOR SELECT USING (true);

      -- The chain itself: one block per INSERT statement of a log, numbered 1, 2, ... in commit order.
      CREATE TABLE audit_chain_block (
        log text NOT NULL,
        block bigint NOT NULL,
        prev_hash bytea NOT NULL,
        block_hash bytea NOT NULL,
        pos bigint[] NOT NULL,
        leaf bytea[] NOT NULL,
        CONSTRAINT pk_audit_chain_block PRIMARY KEY (log, block),
        CONSTRAINT ck_audit_chain_block_links CHECK (cardinality(pos) = cardinality(leaf) AND cardinality(pos) > 0)
      );
      ALTER TABLE audit_chain_block ENABLE ROW LEVEL SECURITY;
      CREATE POLICY audit_chain_block_read ON audit_chain_block FOR SELECT USING (true);
      CREATE TRIGGER audit_chain_block_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_chain_block
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();

      -- What the database saw change in the state tables, whoever changed it (QLDB-style journal).
      CREATE TABLE state_change_log (
        id bigserial NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        table_name text NOT NULL,
        row_key text NOT NULL,
        op text NOT NULL,
        db_user text NOT NULL,
        before jsonb,
        after jsonb,
        CONSTRAINT pk_state_change_log PRIMARY KEY (id),
        CONSTRAINT ck_state_change_log_op CHECK (op IN ('insert', 'update', 'delete', 'snapshot'))
      );
      CREATE INDEX ix_state_change_log_row ON state_change_log (table_name, row_key, id);
      -- Written only by the journal trigger (as the owner): the application may read it, not forge entries.
      ALTER TABLE state_change_log ENABLE ROW LEVEL SECURITY;
      CREATE POLICY state_change_log_read ON state_change_log FOR SELECT USING (true);
      CREATE TRIGGER state_change_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON state_change_log
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();
      -- promotion_decision's own guard is per row, which TRUNCATE skips.
      CREATE TRIGGER tr_promotion_decision_no_truncate BEFORE TRUNCATE ON promotion_decision
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();
    `);

    await q.query(`SET LOCAL "TimeZone" = 'UTC'`);
    for (const log of LOGS) {
      // Rows already there are chained once, in order, by the schema owner.
      await q.query(`
        DO $do$
        DECLARE
          r record; x bytea; prev bytea; h bytea := decode('${ZERO_HASH}', 'hex'); b bigint := 0; n bigint := 0;
        BEGIN
          FOR r IN SELECT array_agg(s.pos ORDER BY s.pos) AS p, array_agg(s.leaf ORDER BY s.pos) AS l
                     FROM (SELECT t.${log.order} AS pos, ${leaf('t', log.order)} AS leaf,
                                  (row_number() OVER (ORDER BY t.${log.order}) - 1) / ${BACKFILL_BLOCK} AS g FROM ${log.table} t) s
                    GROUP BY s.g ORDER BY s.g LOOP
            prev := h;
            FOREACH x IN ARRAY r.l LOOP h := sha256(h || x); END LOOP;
            b := b + 1; n := n + cardinality(r.p);
            INSERT INTO audit_chain_block (log, block, prev_hash, block_hash, pos, leaf) VALUES ('${log.table}', b, prev, h, r.p, r.l);
          END LOOP;
          INSERT INTO audit_chain_head (log, order_column, rows, blocks, head_hash) VALUES ('${log.table}', '${log.order}', n, b, encode(h, 'hex'));
        END $do$`);
      if (log.stamp) {
        const [{ seq }] = await q.query(`SELECT pg_get_serial_sequence($1, $2) AS seq`, [log.table, log.order]);
        await q.query(stampFunction(log, seq));
      }
      await q.query(chainFunction(log));
    }

    await q.query(`
      CREATE FUNCTION warden_journal_state() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, public SET "TimeZone" = 'UTC' AS $fn$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN
          RETURN NULL;
        END IF;
        INSERT INTO state_change_log (table_name, row_key, op, db_user, before, after)
        VALUES (TG_TABLE_NAME,
                CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END ->> TG_ARGV[0],
                lower(TG_OP), session_user,
                CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END,
                CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END);
        RETURN NULL;
      END $fn$;
    `);
    for (const { table, key } of STATE_TABLES) {
      // What each state row holds when the journal starts, so verify can compare every later value.
      await q.query(`
        INSERT INTO state_change_log (table_name, row_key, op, db_user, after)
        SELECT '${table}', to_jsonb(t) ->> '${key}', 'snapshot', session_user, to_jsonb(t) FROM ${table} t ORDER BY 2`);
      await q.query(`CREATE TRIGGER zz_${table}_journal AFTER INSERT OR UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION warden_journal_state('${key}')`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const { table } of STATE_TABLES) await q.query(`DROP TRIGGER zz_${table}_journal ON ${table}`);
    await q.query(`DROP FUNCTION warden_journal_state()`);
    for (const log of [...LOGS].reverse()) {
      if (log.table === 'state_change_log') continue;
      await q.query(`DROP TRIGGER zz_${log.table}_chain ON ${log.table}; DROP FUNCTION warden_chain_${log.table}()`);
      if (log.stamp) await q.query(`DROP TRIGGER zz_${log.table}_stamp ON ${log.table}; DROP FUNCTION warden_stamp_${log.table}()`);
    }
    await q.query(`DROP TRIGGER tr_promotion_decision_no_truncate ON promotion_decision`);
    await q.query(`DROP TABLE state_change_log; DROP FUNCTION warden_chain_state_change_log(); DROP FUNCTION warden_stamp_state_change_log()`);
    await q.query(`DROP TABLE audit_chain_block; DROP TABLE audit_chain_head`);
  }
}
