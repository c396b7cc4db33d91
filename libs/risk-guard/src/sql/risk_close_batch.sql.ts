import type { RepeatableSql } from '#platform';

/**
 * The single source of risk_close_batch, applied by the repeatable step when this text changes
 * (libs/platform/src/database/repeatable-sql.ts). History: 1763700000300, 1763700000310 (plan pinning),
 * 1763700000710 (dropped the old signature: keys scoped per engine, the settle loss bound).
 */
export const RISK_CLOSE_BATCH_SQL: RepeatableSql = {
  name: 'risk_close_batch',
  sql: `
/*
 * risk_close_batch: settles or voids reservations, set-based. Each request names its reservation by
 * id, or by correlation_id within an engine scope: p_engines (the engine given), else the caller's
 * binding (p_bound), else every engine; a key that matches reservations of several engines in that
 * scope is 'ambiguous' (the caller must name the engine). Open risk shrinks by the reserved amount and
 * realized loss grows, on the reservation's own day, for its engine row and the GLOBAL row.
 * A settle books at most amount x max_loss_multiple (the lower of the engine's and GLOBAL's policy):
 * above it the request is 'loss_exceeds', changes nothing, and is recorded as a refused settle event.
 * Outcomes: settled | voided | replay (already closed the same way) | conflict (closed with other
 * values) | not_open (settle of a voided one or void of a settled one) | not_found | not_bound (by id:
 * the caller's token is bound to other engines) | ambiguous | loss_exceeds | retry (a second request
 * for the same reservation in this batch: the caller resubmits it, it then sees the first one's
 * effect). Returns the reservation, the most it may book, and its day's engine and GLOBAL rows after
 * the batch.
 *
 * Lock order: the reservations (by id), then their ledger rows (engines by engine and day, GLOBAL last).
 */
CREATE OR REPLACE FUNCTION risk_close_batch(
  p_now timestamptz, p_kinds text[], p_ids uuid[], p_cids text[], p_engines text[], p_losses numeric[],
  p_reasons text[], p_principals text[], p_bound text[]
) RETURNS TABLE (
  ord integer, outcome text, reservation_id uuid, correlation_id text, engine text, day text, amount numeric,
  status text, realized_loss numeric, reserved_at timestamptz, expires_at timestamptz, closed_at timestamptz,
  close_reason text, max_loss numeric, e_exposure numeric, e_open numeric, e_loss numeric, e_actions bigint,
  g_exposure numeric, g_open numeric, g_loss numeric, g_actions bigint
) LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
#variable_conflict use_column
DECLARE
  v_ids uuid[];
BEGIN
  IF coalesce(array_length(p_kinds, 1), 0) = 0 THEN RETURN; END IF;

  SELECT array_agg(s.id) INTO v_ids FROM (
    SELECT rs.id FROM risk_reservation rs
     WHERE rs.id IN (SELECT x.id FROM risk_reservation x WHERE x.id = ANY (p_ids)
                     UNION SELECT x.id FROM risk_reservation x WHERE x.correlation_id = ANY (p_cids))
     ORDER BY rs.id FOR UPDATE OF rs) s;
  PERFORM 1 FROM risk_ledger_day l
   WHERE (l.day, l.engine) IN (SELECT r.day, r.engine FROM risk_reservation r WHERE r.id = ANY (v_ids)
                               UNION SELECT r.day, 'GLOBAL' FROM risk_reservation r WHERE r.id = ANY (v_ids))
   ORDER BY l.engine = 'GLOBAL', l.engine, l.day FOR UPDATE OF l;

  RETURN QUERY
  WITH req AS (
    SELECT u.* FROM unnest(p_kinds, p_ids, p_cids, p_engines, p_losses, p_reasons, p_principals, p_bound) WITH ORDINALITY
           AS u(kind, rid, cid, eng, loss, reason, prin, bound, ord)
  ), locked AS (
    SELECT r.* FROM risk_reservation r WHERE r.id = ANY (v_ids)
  ), cand AS (
    -- What a request by correlation_id may mean: the key within the engine given, else within the binding.
    SELECT req.ord, b.id, count(*) OVER (PARTITION BY req.ord) AS n
      FROM req JOIN locked b ON req.rid IS NULL AND b.correlation_id = req.cid
                            AND (req.eng IS NULL OR b.engine = req.eng)
                            AND (req.bound IS NULL OR b.engine = ANY (string_to_array(req.bound, ',')))
  ), pick AS (
    SELECT DISTINCT ON (cand.ord) cand.ord, CASE WHEN cand.n = 1 THEN cand.id END AS id, cand.n FROM cand ORDER BY cand.ord
  ), m AS (
    SELECT req.*, coalesce(pick.n, 0) AS n_cand, r.id AS res_id, r.correlation_id AS res_cid, r.engine AS res_engine,
           r.day AS res_day, r.amount AS res_amount, r.status AS old_status, r.realized_loss AS old_loss,
           r.close_reason AS old_reason, r.closed_at AS old_closed, r.reserved_at AS res_reserved, r.expires_at AS res_expires,
           r.amount * least(coalesce(pe.max_loss_multiple, 1), coalesce(pg.max_loss_multiple, 1)) AS max_loss
      FROM req LEFT JOIN pick ON pick.ord = req.ord
               LEFT JOIN locked r ON r.id = coalesce(req.rid, pick.id) AND (req.eng IS NULL OR r.engine = req.eng)
               LEFT JOIN risk_policy pe ON pe.engine = r.engine
               LEFT JOIN risk_policy pg ON pg.engine = 'GLOBAL'
  ), d AS (
    SELECT m.*, CASE
        WHEN m.rid IS NULL AND m.n_cand > 1 THEN 'ambiguous'
        WHEN m.res_id IS NULL THEN 'not_found'
        WHEN row_number() OVER (PARTITION BY m.res_id ORDER BY m.ord) > 1 THEN 'retry'
        WHEN m.bound IS NOT NULL AND NOT (m.res_engine = ANY (string_to_array(m.bound, ','))) THEN 'not_bound'
        WHEN m.old_status IN ('reserved', 'expired') THEN CASE
            WHEN m.kind = 'void' THEN 'voided'
            WHEN m.loss > m.max_loss THEN 'loss_exceeds'
            ELSE 'settled' END
        WHEN m.kind = 'settle' AND m.old_status = 'settled' THEN CASE WHEN m.old_loss = m.loss THEN 'replay' ELSE 'conflict' END
        WHEN m.kind = 'void' AND m.old_status = 'voided' THEN CASE WHEN m.old_reason IS NOT DISTINCT FROM m.reason THEN 'replay' ELSE 'conflict' END
        ELSE 'not_open' END AS result
      FROM m
  ), changed AS (
    SELECT d.*, CASE WHEN d.result = 'settled' THEN d.loss ELSE 0 END AS booked FROM d WHERE d.result IN ('settled', 'voided')
  ), upd AS (
    UPDATE risk_reservation rs
       SET status = c.result, realized_loss = CASE WHEN c.result = 'settled' THEN c.loss END,
           closed_at = p_now, closed_by = c.prin, close_reason = c.reason
      FROM changed c WHERE rs.id = c.res_id
  ), deltas AS (
    SELECT x.day, x.engine, sum(x.amount) AS open, sum(x.booked) AS loss FROM (
      SELECT c.res_day AS day, c.res_engine AS engine, c.res_amount AS amount, c.booked FROM changed c
      UNION ALL SELECT c.res_day, 'GLOBAL', c.res_amount, c.booked FROM changed c) x
    GROUP BY x.day, x.engine
  ), led AS (
    UPDATE risk_ledger_day l
       SET open_risk_reserved = l.open_risk_reserved - dl.open, realized_loss = l.realized_loss + dl.loss
      FROM deltas dl WHERE l.day = dl.day AND l.engine = dl.engine
    RETURNING l.day, l.engine, l.exposure_used, l.open_risk_reserved, l.realized_loss, l.actions_count
  ), ev AS (
    -- Closes, and refused settles (no effect, but on record: a denial is recorded although nothing changed).
    INSERT INTO risk_event (at, day, engine, kind, outcome, correlation_id, reservation_id, amount, realized_loss, reason_codes,
                            reason, principal, details)
    SELECT p_now, x.res_day, x.res_engine, x.kind, x.outcome, x.res_cid, x.res_id, x.res_amount, x.loss, x.codes, x.reason, x.prin, x.det
      FROM (SELECT c.ord, c.res_day, c.res_engine, c.kind, c.result AS outcome, c.res_cid, c.res_id, c.res_amount,
                   CASE WHEN c.result = 'settled' THEN c.loss END AS loss, '{}'::text[] AS codes, c.reason, c.prin, NULL::jsonb AS det
              FROM changed c
            UNION ALL
            SELECT d.ord, d.res_day, d.res_engine, 'settle', 'refused', d.res_cid, d.res_id, d.res_amount, d.loss,
                   '{loss_exceeds_reservation}'::text[], d.reason, d.prin,
                   jsonb_build_object('max_loss', trim_scale(d.max_loss)::text, 'requested_loss', trim_scale(d.loss)::text)
              FROM d WHERE d.result = 'loss_exceeds') x
     ORDER BY x.ord
  ), after AS (
    -- Data-modifying CTEs (upd, ev) always run to completion; every part of this statement sees one
    -- snapshot, so the rows it updates come from led's RETURNING, the others as read.
    SELECT l.day, l.engine, coalesce(u.exposure_used, l.exposure_used) AS exposure_used,
           coalesce(u.open_risk_reserved, l.open_risk_reserved) AS open_risk_reserved,
           coalesce(u.realized_loss, l.realized_loss) AS realized_loss, coalesce(u.actions_count, l.actions_count) AS actions_count
      FROM risk_ledger_day l LEFT JOIN led u ON u.day = l.day AND u.engine = l.engine
     WHERE (l.day, l.engine) IN (SELECT d.res_day, d.res_engine FROM d UNION SELECT d.res_day, 'GLOBAL' FROM d)
  )
  SELECT d.ord::integer, d.result, d.res_id, d.res_cid, d.res_engine, d.res_day::text, d.res_amount,
         CASE WHEN d.result IN ('settled', 'voided') THEN d.result ELSE d.old_status END,
         CASE WHEN d.result = 'settled' THEN d.loss WHEN d.result = 'voided' THEN NULL ELSE d.old_loss END,
         d.res_reserved, d.res_expires,
         CASE WHEN d.result IN ('settled', 'voided') THEN p_now ELSE d.old_closed END,
         CASE WHEN d.result IN ('settled', 'voided') THEN d.reason ELSE d.old_reason END,
         d.max_loss,
         e.exposure_used, e.open_risk_reserved, e.realized_loss, e.actions_count,
         g.exposure_used, g.open_risk_reserved, g.realized_loss, g.actions_count
    FROM d LEFT JOIN after e ON e.day = d.res_day AND e.engine = d.res_engine
           LEFT JOIN after g ON g.day = d.res_day AND g.engine = 'GLOBAL'
   ORDER BY d.ord;
END
$fn$;
`,
};
