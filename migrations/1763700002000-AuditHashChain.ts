import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hash chains on the append-only logs, and a journal of every change to the state tables
 * (docs/audit.md). Each chained row carries `prev_hash` and `row_hash` = SHA-256(prev_hash bytes ||
 * UTF-8 of its canonical content), where the canonical content is
 * `jsonb_strip_nulls(to_jsonb(row) - 'prev_hash' - 'row_hash')::text` rendered with TimeZone UTC.
 * A BEFORE INSERT trigger computes it, so no writer can skip it; `warden audit verify` recomputes it.
 *
 * The trigger locks the log's row in `audit_chain_head` (held to commit: appends to one log are
 * serial) and then draws the row's order value (`id`, or `seq` where the id is a uuid) from its
 * sequence, so that order among committed rows is chain order. It fires last among the BEFORE
 * INSERT triggers (`zz_` prefix: triggers fire in name order) so no later trigger changes a hashed row.
 *
 * The functions are SECURITY DEFINER (owned by the schema owner): the head table has row-level
 * security with a read-only policy, so the application role can read the heads but neither move
 * nor reset them, whatever table grants it is given at start.
 *
 * This file is frozen once landed: the log list and the SQL are written out here, not imported.
 */
const ZERO_HASH = '0'.repeat(64);

/** Each chained log, the column that orders it and the sequence that feeds that column. */
const LOGS: readonly { table: string; order: string; appendOnlyTrigger: string; forceNow?: string }[] = [
  // The audit trail's time is the database's (the column's default, never set by a caller): a forged
  // row cannot be back-dated, it is stamped and placed when it is written.
  { table: 'audit_log', order: 'id', appendOnlyTrigger: 'audit_log_append_only', forceNow: 'at' },
  { table: 'risk_event', order: 'id', appendOnlyTrigger: 'risk_event_append_only' },
  { table: 'approval_decision', order: 'id', appendOnlyTrigger: 'approval_decision_append_only' },
  { table: 'gate_decision', order: 'seq', appendOnlyTrigger: 'gate_decision_append_only' },
  { table: 'promotion_decision', order: 'seq', appendOnlyTrigger: 'tr_promotion_decision_append_only' },
  { table: 'state_change_log', order: 'id', appendOnlyTrigger: 'state_change_log_append_only', forceNow: 'at' },
];

/** State tables journaled into state_change_log by a trigger, with the column naming a row. */
const STATE_TABLES: readonly { table: string; key: string }[] = [
  { table: 'go_live_state', key: 'id' },
  { table: 'risk_policy', key: 'engine' },
  { table: 'api_token', key: 'id' },
  { table: 'approval_request', key: 'id' },
];

const canonical = (row: string) => `convert_to(jsonb_strip_nulls(to_jsonb(${row}) - 'prev_hash' - 'row_hash')::text, 'UTF8')`;

function chainFunction(log: (typeof LOGS)[number], sequence: string): string {
  return `
    CREATE FUNCTION warden_chain_${log.table}() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = pg_catalog, public SET "TimeZone" = 'UTC' AS $fn$
    DECLARE
      prev text;
    BEGIN
      SELECT head_hash INTO STRICT prev FROM audit_chain_head WHERE log = '${log.table}' FOR UPDATE;
      NEW.${log.order} := nextval('${sequence}'::regclass);
      ${log.forceNow ? `NEW.${log.forceNow} := now();` : ''}
      NEW.prev_hash := prev;
      NEW.row_hash := NULL;
      NEW.row_hash := encode(sha256(decode(prev, 'hex') || ${canonical('NEW')}), 'hex');
      UPDATE audit_chain_head SET rows = rows + 1, head_hash = NEW.row_hash WHERE log = '${log.table}';
      RETURN NEW;
    END $fn$;
    CREATE TRIGGER zz_${log.table}_chain BEFORE INSERT ON ${log.table} FOR EACH ROW EXECUTE FUNCTION warden_chain_${log.table}();`;
}

export class AuditHashChain1763700002000 implements MigrationInterface {
  name = 'AuditHashChain1763700002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_chain_head (
        log text NOT NULL,
        order_column text NOT NULL,
        rows bigint NOT NULL,
        head_hash text NOT NULL,
        CONSTRAINT pk_audit_chain_head PRIMARY KEY (log),
        CONSTRAINT ck_audit_chain_head_hash CHECK (head_hash ~ '^[0-9a-f]{64}$')
      );
      ALTER TABLE audit_chain_head ENABLE ROW LEVEL SECURITY;
      CREATE POLICY audit_chain_head_read ON audit_chain_head FOR SELECT USING (true);

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

    for (const log of LOGS) {
      const [{ seq }] = await q.query(`SELECT pg_get_serial_sequence($1, $2) AS seq`, [log.table, log.order]);
      await q.query(`ALTER TABLE ${log.table} ADD COLUMN prev_hash text, ADD COLUMN row_hash text`);
      // Rows already there are chained in order, once, by the schema owner.
      await q.query(`ALTER TABLE ${log.table} DISABLE TRIGGER ${log.appendOnlyTrigger}`);
      await q.query(`
        DO $do$
        DECLARE
          r record;
          h text := '${ZERO_HASH}';
          n bigint := 0;
        BEGIN
          SET LOCAL "TimeZone" = 'UTC';
          FOR r IN SELECT t.${log.order} AS pos, ${canonical('t')} AS c FROM ${log.table} t ORDER BY t.${log.order} LOOP
            UPDATE ${log.table} SET prev_hash = h, row_hash = encode(sha256(decode(h, 'hex') || r.c), 'hex') WHERE ${log.order} = r.pos
              RETURNING row_hash INTO h;
            n := n + 1;
          END LOOP;
          INSERT INTO audit_chain_head (log, order_column, rows, head_hash) VALUES ('${log.table}', '${log.order}', n, h);
        END $do$`);
      await q.query(`ALTER TABLE ${log.table} ENABLE TRIGGER ${log.appendOnlyTrigger}`);
      await q.query(`ALTER TABLE ${log.table} ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN row_hash SET NOT NULL`);
      await q.query(chainFunction(log, seq));
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
    await q.query(`SET LOCAL "TimeZone" = 'UTC'`);
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
      await q.query(`ALTER TABLE ${log.table} DROP COLUMN prev_hash, DROP COLUMN row_hash`);
    }
    await q.query(`DROP TRIGGER tr_promotion_decision_no_truncate ON promotion_decision`);
    await q.query(`DROP TABLE state_change_log; DROP FUNCTION warden_chain_state_change_log(); DROP TABLE audit_chain_head`);
  }
}
