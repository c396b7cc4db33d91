import type { RepeatableSql } from '#platform';

/**
 * The single source of risk_ledger_batch, applied by the repeatable step when this text changes
 * (libs/platform/src/database/repeatable-sql.ts). It replaced risk_reserve_batch and risk_close_batch
 * (history: 1763700000300, 1763700000310, 1763700000710), which this file drops: one turn on the hot
 * GLOBAL row carries reserves, settles and voids together.
 */
export const RISK_LEDGER_BATCH_SQL: RepeatableSql = {
  name: 'risk_ledger_batch',
  sql: `
DROP FUNCTION IF EXISTS risk_reserve_batch(date, timestamptz, boolean, text[], text[], numeric[], text[], text[], text[]);
DROP FUNCTION IF EXISTS risk_close_batch(timestamptz, text[], uuid[], text[], text[], numeric[], text[], text[], text[]);

/*
 * risk_ledger_batch: one turn of the ledger. Applies a batch of reserves, settles and voids (p_kinds
 * 'reserve' | 'settle' | 'void') in arrival order, each all-or-nothing, in one transaction: the
 * involved rows are locked once (the close requests' reservations by id, then every ledger row,
 * engines by engine and day, GLOBAL last), the decisions run against running totals, and the writes
 * go as one statement (reservations, their decision events, the ledger rows once each).
 *
 * Reserve (p_amounts = amount, p_digests, p_engines = engine): allowed | allowed_observed | denied
 * (recorded) | unrecorded (no engine policy: nothing written) | replay (the engine used the key with
 * the same digest) | conflict. (engine, correlation_id) pairs are unique among a batch's reserves.
 * Settle/void (p_ids or p_cids within p_engines, else p_bound, else every engine; p_amounts = the
 * realized loss): settled | voided | replay | conflict | not_open | not_found | not_bound | ambiguous |
 * loss_exceeds (at most amount x the lower max_loss_multiple: recorded as a refused settle) | retry (a
 * reserve of the same key or another close of the same reservation came earlier in this batch: the
 * caller resubmits it, it then sees that one's effect). A settle releases open risk and books loss on
 * the reservation's own day, at its place in the batch: a reserve after it sees the room it freed.
 * The day and "now" come from the caller's injected clock, never from SQL now().
 *
 * p_deadline, the fail-closed rule: the client's deadline for this statement, already converted to
 * this server's clock (GuardedClient, SERVER_DEADLINE). The function raises 57014 when clock_timestamp()
 * has reached it, at the start and again as its very last step, after every write: the statement can
 * only succeed if it finished before the deadline, and the only work left after the last check is
 * returning the rows and the commit. So the client sends Execute and Sync together: a statement that
 * reaches the server late (a frozen server resuming, a slow network) raises and rolls back.
 * Index plans are pinned (enable_seqscan = off): see migration 1763700000310.
 */
CREATE OR REPLACE FUNCTION risk_ledger_batch(
  p_day date, p_now timestamptz, p_kill boolean, p_cids text[], p_kinds text[], p_ids uuid[], p_engines text[],
  p_amounts numeric[], p_digests text[], p_reasons text[], p_principals text[], p_bound text[], p_deadline timestamptz
) RETURNS TABLE (
  ord integer, outcome text, reservation_id uuid, reason_codes text[], details jsonb,
  day text, reserved_at timestamptz, expires_at timestamptz, status text, original_outcome text,
  correlation_id text, engine text, amount numeric, realized_loss numeric, closed_at timestamptz, close_reason text,
  max_loss numeric, e_exposure numeric, e_open numeric, e_loss numeric, e_actions bigint,
  g_exposure numeric, g_open numeric, g_loss numeric, g_actions bigint
) LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
#variable_conflict use_column
DECLARE
  n integer := coalesce(array_length(p_kinds, 1), 0);
  nr integer := 0; cl_ids uuid[] := '{}'; cl_cids text[] := '{}'; v_ids uuid[];
  -- Policies of the reserves' engines (sorted); GLOBAL in scalars. req_e: each request's policy index.
  k_eng text[] := '{}'; k_enabled boolean[]; k_observe boolean[]; k_mode text[]; k_dreason text[];
  k_max_exp numeric[]; k_max_open numeric[]; k_max_loss numeric[]; k_max_act integer[]; k_ttl integer[]; k_row integer[];
  g_has boolean := false; g_enabled boolean; g_observe boolean; g_mode text; g_dreason text; g_row integer;
  g_max_exp numeric; g_max_open numeric; g_max_loss numeric; g_max_act integer;
  req_e integer[];
  -- The locked ledger rows, as running totals (L_*0: as locked).
  w_day date[] := '{}'; w_eng text[] := '{}';
  l_key text[] := '{}'; l_day date[] := '{}'; l_eng text[] := '{}'; l_exp numeric[] := '{}'; l_open numeric[] := '{}';
  l_loss numeric[] := '{}'; l_act bigint[] := '{}'; l_den bigint[] := '{}'; l_chg boolean[] := '{}';
  -- Close decisions, by request index.
  c_out text[] := '{}'; c_res uuid[] := '{}'; c_cid text[] := '{}'; c_eng text[] := '{}'; c_day date[] := '{}';
  c_amt numeric[] := '{}'; c_old_status text[] := '{}'; c_old_loss numeric[] := '{}'; c_old_reason text[] := '{}';
  c_old_closed timestamptz[] := '{}'; c_reserved timestamptz[] := '{}'; c_expires timestamptz[] := '{}';
  c_max numeric[] := '{}'; c_erow integer[] := '{}'; c_grow integer[] := '{}';
  -- Keys already used by reserves, and this batch's reserve outcomes (sparse: unset = allowed).
  x_cids text[]; x_digests text[]; x_outcomes text[]; x_res uuid[]; x_codes text[]; x_details jsonb[];
  x_day text[]; x_reserved timestamptz[]; x_expires timestamptz[]; x_status text[];
  o_out text[] := '{}'; o_res uuid[] := '{}'; o_codes text[] := '{}'; o_det jsonb[] := '{}'; o_x integer[] := '{}';
  rv_i integer[] := '{}'; rv_id uuid[] := '{}'; rv_out text[] := '{}'; rv_codes text[] := '{}'; rv_det jsonb[] := '{}';
  dn_i integer[] := '{}'; dn_codes text[] := '{}'; dn_det jsonb[] := '{}';
  e integer; i integer; c integer := 0; dn integer := 0; m integer; r record; amt numeric; codes text[]; hard boolean; det jsonb;
  ge integer; ke integer;
BEGIN
  IF n = 0 THEN RETURN; END IF;
  IF clock_timestamp() >= p_deadline THEN
    RAISE EXCEPTION 'risk_ledger_batch: the client deadline passed before the batch started' USING ERRCODE = '57014';
  END IF;

  FOR i IN 1..n LOOP
    IF p_kinds[i] = 'reserve' THEN nr := nr + 1;
    ELSIF p_ids[i] IS NOT NULL THEN cl_ids := cl_ids || p_ids[i];
    ELSE cl_cids := cl_cids || p_cids[i]; END IF;
  END LOOP;

  -- 1. The close requests' reservations, locked by id, and each close decided (it does not depend on the totals).
  IF nr < n THEN
    SELECT array_agg(s.id) INTO v_ids FROM (
      SELECT rs.id FROM risk_reservation rs
       WHERE rs.id IN (SELECT x.id FROM risk_reservation x WHERE x.id = ANY (cl_ids)
                       UNION SELECT x.id FROM risk_reservation x WHERE x.correlation_id = ANY (cl_cids))
       ORDER BY rs.id FOR UPDATE OF rs) s;
    FOR r IN
      WITH req AS (
        SELECT u.* FROM unnest(p_kinds, p_ids, p_cids, p_engines, p_amounts, p_reasons, p_bound) WITH ORDINALITY
               AS u(kind, rid, cid, eng, loss, reason, bound, o)
      ), creq AS (
        SELECT req.* FROM req WHERE req.kind <> 'reserve'
      ), locked AS (
        SELECT b.* FROM risk_reservation b WHERE b.id = ANY (v_ids)
      ), cand AS (
        -- What a request by correlation_id may mean: the key within the engine given, else within the binding.
        SELECT creq.o, b.id, count(*) OVER (PARTITION BY creq.o) AS nc
          FROM creq JOIN locked b ON creq.rid IS NULL AND b.correlation_id = creq.cid
                                 AND (creq.eng IS NULL OR b.engine = creq.eng)
                                 AND (creq.bound IS NULL OR b.engine = ANY (string_to_array(creq.bound, ',')))
      ), pick AS (
        SELECT DISTINCT ON (cand.o) cand.o, CASE WHEN cand.nc = 1 THEN cand.id END AS id, cand.nc FROM cand ORDER BY cand.o
      ), mm AS (
        SELECT creq.*, coalesce(pick.nc, 0) AS n_cand, b.id AS res_id, b.correlation_id AS res_cid, b.engine AS res_engine,
               b.day AS res_day, b.amount AS res_amount, b.status AS old_status, b.realized_loss AS old_loss,
               b.close_reason AS old_reason, b.closed_at AS old_closed, b.reserved_at AS res_reserved, b.expires_at AS res_expires,
               b.amount * least(coalesce(pe.max_loss_multiple, 1), coalesce(pg.max_loss_multiple, 1)) AS res_max,
               EXISTS (SELECT 1 FROM req q WHERE q.kind = 'reserve' AND q.cid = creq.cid AND q.o < creq.o) AS reserved_before
          FROM creq LEFT JOIN pick ON pick.o = creq.o
                    LEFT JOIN locked b ON b.id = coalesce(creq.rid, pick.id) AND (creq.eng IS NULL OR b.engine = creq.eng)
                    LEFT JOIN risk_policy pe ON pe.engine = b.engine
                    LEFT JOIN risk_policy pg ON pg.engine = 'GLOBAL'
      )
      SELECT mm.*, CASE
          WHEN mm.rid IS NULL AND mm.reserved_before THEN 'retry'
          WHEN mm.rid IS NULL AND mm.n_cand > 1 THEN 'ambiguous'
          WHEN mm.res_id IS NULL THEN 'not_found'
          WHEN row_number() OVER (PARTITION BY mm.res_id ORDER BY mm.o) > 1 THEN 'retry'
          WHEN mm.bound IS NOT NULL AND NOT (mm.res_engine = ANY (string_to_array(mm.bound, ','))) THEN 'not_bound'
          WHEN mm.old_status IN ('reserved', 'expired') THEN CASE
              WHEN mm.kind = 'void' THEN 'voided'
              WHEN mm.loss > mm.res_max THEN 'loss_exceeds'
              ELSE 'settled' END
          WHEN mm.kind = 'settle' AND mm.old_status = 'settled' THEN CASE WHEN mm.old_loss = mm.loss THEN 'replay' ELSE 'conflict' END
          WHEN mm.kind = 'void' AND mm.old_status = 'voided' THEN CASE WHEN mm.old_reason IS NOT DISTINCT FROM mm.reason THEN 'replay' ELSE 'conflict' END
          ELSE 'not_open' END AS result
        FROM mm
    LOOP
      i := r.o;
      c_out[i] := r.result; c_res[i] := r.res_id; c_cid[i] := r.res_cid; c_eng[i] := r.res_engine; c_day[i] := r.res_day;
      c_amt[i] := r.res_amount; c_old_status[i] := r.old_status; c_old_loss[i] := r.old_loss; c_old_reason[i] := r.old_reason;
      c_old_closed[i] := r.old_closed; c_reserved[i] := r.res_reserved; c_expires[i] := r.res_expires; c_max[i] := r.res_max;
      IF r.res_id IS NOT NULL AND r.result NOT IN ('retry', 'not_bound') THEN
        w_day := w_day || r.res_day || r.res_day; w_eng := w_eng || r.res_engine || 'GLOBAL'::text;
      END IF;
    END LOOP;
  END IF;

  -- 2. The reserves' policies (engines without a policy stay out of k_eng), and each request's index into them.
  IF nr > 0 THEN
    -- One array, so the primary key is probed per engine (an OR with a sub-select filtered every policy).
    FOR r IN SELECT p.* FROM risk_policy p
              WHERE p.engine = ANY (ARRAY(SELECT DISTINCT u.eng FROM unnest(p_kinds, p_engines) AS u(kind, eng) WHERE u.kind = 'reserve') || 'GLOBAL'::text)
              ORDER BY p.engine LOOP
      IF r.engine = 'GLOBAL' THEN
        g_has := true; g_enabled := r.enabled; g_observe := r.enforcement_mode = 'observe'; g_mode := r.enforcement_mode;
        g_dreason := r.disabled_reason; g_max_exp := r.max_daily_exposure; g_max_open := r.max_open_risk;
        g_max_loss := r.max_daily_loss; g_max_act := r.max_actions_per_day;
      ELSE
        i := cardinality(k_eng) + 1;
        k_eng[i] := r.engine; k_enabled[i] := r.enabled; k_observe[i] := r.enforcement_mode = 'observe';
        k_mode[i] := r.enforcement_mode; k_dreason[i] := r.disabled_reason;
        k_max_exp[i] := r.max_daily_exposure; k_max_open[i] := r.max_open_risk; k_max_loss[i] := r.max_daily_loss;
        k_max_act[i] := r.max_actions_per_day; k_ttl[i] := r.reservation_ttl_seconds;
      END IF;
    END LOOP;
    w_day := w_day || array_fill(p_day, ARRAY[cardinality(k_eng) + 1]); w_eng := w_eng || k_eng || 'GLOBAL'::text;
    -- One hash join instead of a search of k_eng per request (that search grew with the number of engines).
    SELECT array_agg(k.pos::integer ORDER BY u.o) INTO req_e
      FROM unnest(p_kinds, p_engines) WITH ORDINALITY AS u(kind, eng, o)
      LEFT JOIN unnest(k_eng) WITH ORDINALITY AS k(eng, pos) ON u.kind = 'reserve' AND k.eng = u.eng;
  END IF;

  -- 3. Every involved ledger row, locked in the fixed order (engines by engine and day, GLOBAL last). Rows still
  -- missing are created by one ordered upsert, which locks existing and new rows in its input order.
  SELECT count(DISTINCT (u.d, u.en)) INTO m FROM unnest(w_day, w_eng) AS u(d, en);
  SELECT count(*) INTO c FROM risk_ledger_day l WHERE (l.day, l.engine) IN (SELECT u.d, u.en FROM unnest(w_day, w_eng) AS u(d, en));
  IF c = m THEN
    FOR r IN SELECT l.* FROM risk_ledger_day l WHERE (l.day, l.engine) IN (SELECT u.d, u.en FROM unnest(w_day, w_eng) AS u(d, en))
              ORDER BY l.engine = 'GLOBAL', l.engine, l.day FOR UPDATE OF l LOOP
      l_key := l_key || (r.day::text || ' ' || r.engine); l_day := l_day || r.day; l_eng := l_eng || r.engine;
      l_exp := l_exp || r.exposure_used; l_open := l_open || r.open_risk_reserved; l_loss := l_loss || r.realized_loss;
      l_act := l_act || r.actions_count; l_den := l_den || r.denials_count; l_chg := l_chg || false;
    END LOOP;
  ELSE
    FOR r IN INSERT INTO risk_ledger_day AS l (day, engine)
             SELECT DISTINCT ON (u.en = 'GLOBAL', u.en, u.d) u.d, u.en FROM unnest(w_day, w_eng) AS u(d, en) ORDER BY u.en = 'GLOBAL', u.en, u.d
             ON CONFLICT ON CONSTRAINT pk_risk_ledger_day DO UPDATE SET denials_count = l.denials_count
             RETURNING l.* LOOP
      l_key := l_key || (r.day::text || ' ' || r.engine); l_day := l_day || r.day; l_eng := l_eng || r.engine;
      l_exp := l_exp || r.exposure_used; l_open := l_open || r.open_risk_reserved; l_loss := l_loss || r.realized_loss;
      l_act := l_act || r.actions_count; l_den := l_den || r.denials_count; l_chg := l_chg || false;
    END LOOP;
  END IF;
  IF nr > 0 THEN
    g_row := array_position(l_key, p_day::text || ' GLOBAL');
    -- Joins, not a search of l_key per engine or per request (a search grows with the number of engines).
    SELECT array_agg(lr.j::integer ORDER BY k.pos) INTO k_row
      FROM unnest(k_eng) WITH ORDINALITY AS k(eng, pos) LEFT JOIN unnest(l_key) WITH ORDINALITY AS lr(key, j) ON lr.key = p_day::text || ' ' || k.eng;

    -- Keys already used (by this engine): their recorded answer is returned (or 409 when the body differs).
    -- LATERAL ... LIMIT 1 (not flattened into a join), so each key is an index lookup whatever the statistics say: as a plain join, a planner that
    -- thought risk_event small scanned the whole partial index once per request (95% of a turn at 16,000
    -- events; the plan flipped with autoanalyze, which is what made throughput jump from run to run).
    SELECT array_agg(ev.engine || ' ' || ev.correlation_id), array_agg(ev.request_digest), array_agg(ev.outcome), array_agg(ev.reservation_id),
           array_agg(array_to_string(ev.reason_codes, ',')), array_agg(ev.details), array_agg(rs.day::text),
           array_agg(rs.reserved_at), array_agg(rs.expires_at), array_agg(rs.status)
      INTO x_cids, x_digests, x_outcomes, x_res, x_codes, x_details, x_day, x_reserved, x_expires, x_status
      FROM unnest(p_kinds, p_engines, p_cids) AS k(kind, engine, cid)
      CROSS JOIN LATERAL (SELECT ev.* FROM risk_event ev
                           WHERE k.kind = 'reserve' AND ev.kind = 'reserve' AND ev.correlation_id = k.cid AND ev.engine = k.engine LIMIT 1) ev
      LEFT JOIN LATERAL (SELECT r.* FROM risk_reservation r WHERE r.id = ev.reservation_id LIMIT 1) rs ON true;
  END IF;
  IF nr < n THEN
    SELECT array_agg(le.j::integer ORDER BY u.i), array_agg(lg.j::integer ORDER BY u.i) INTO c_erow, c_grow
      FROM generate_series(1, n) AS u(i)
      LEFT JOIN unnest(l_key) WITH ORDINALITY AS le(key, j) ON le.key = c_day[u.i]::text || ' ' || c_eng[u.i]
      LEFT JOIN unnest(l_key) WITH ORDINALITY AS lg(key, j) ON lg.key = c_day[u.i]::text || ' GLOBAL';
  END IF;
  c := 0;

  -- 4. The requests in arrival order, against running totals.
  FOR i IN 1..n LOOP
    IF p_kinds[i] <> 'reserve' THEN
      -- A close frees open risk (and books its loss) here, so every later reserve of this batch sees it.
      IF c_out[i] IN ('settled', 'voided') THEN
        amt := CASE WHEN c_out[i] = 'settled' THEN p_amounts[i] ELSE 0 END;
        l_open[c_erow[i]] := l_open[c_erow[i]] - c_amt[i]; l_loss[c_erow[i]] := l_loss[c_erow[i]] + amt; l_chg[c_erow[i]] := true;
        l_open[c_grow[i]] := l_open[c_grow[i]] - c_amt[i]; l_loss[c_grow[i]] := l_loss[c_grow[i]] + amt; l_chg[c_grow[i]] := true;
      END IF;
      CONTINUE;
    END IF;
    IF x_cids IS NOT NULL THEN
      e := array_position(x_cids, p_engines[i] || ' ' || p_cids[i]);
      IF e IS NOT NULL THEN
        o_out[i] := CASE WHEN x_digests[e] = p_digests[i] THEN 'replay' ELSE 'conflict' END; o_x[i] := e;
        CONTINUE;
      END IF;
    END IF;
    amt := p_amounts[i];
    e := req_e[i]; ge := g_row; ke := CASE WHEN e IS NOT NULL THEN k_row[e] END;

    -- Fast path: every check of both scopes passes.
    IF NOT p_kill AND g_has AND g_enabled AND e IS NOT NULL AND k_enabled[e]
       AND (g_max_loss IS NULL OR l_loss[ge] < g_max_loss) AND (k_max_loss[e] IS NULL OR l_loss[ke] < k_max_loss[e])
       AND (g_max_exp IS NULL OR l_exp[ge] + amt <= g_max_exp) AND (g_max_open IS NULL OR l_open[ge] + amt <= g_max_open)
       AND (g_max_act IS NULL OR l_act[ge] < g_max_act)
       AND (k_max_exp[e] IS NULL OR l_exp[ke] + amt <= k_max_exp[e]) AND (k_max_open[e] IS NULL OR l_open[ke] + amt <= k_max_open[e])
       AND (k_max_act[e] IS NULL OR l_act[ke] < k_max_act[e]) THEN
      l_exp[ge] := l_exp[ge] + amt; l_open[ge] := l_open[ge] + amt; l_act[ge] := l_act[ge] + 1; l_chg[ge] := true;
      l_exp[ke] := l_exp[ke] + amt; l_open[ke] := l_open[ke] + amt; l_act[ke] := l_act[ke] + 1; l_chg[ke] := true;
      c := c + 1; rv_i[c] := i; rv_id[c] := gen_random_uuid(); o_res[i] := rv_id[c];
      CONTINUE;
    END IF;

    -- Slow path: name every failing check. Caps of a scope in observe mode are reported, not enforced;
    -- a missing or disabled policy and the kill switch always deny.
    codes := '{}'; hard := false;
    IF p_kill THEN codes := codes || 'kill_switch_engaged'::text; hard := true; END IF;
    IF NOT g_has THEN
      codes := codes || 'no_global_policy'::text; hard := true;
    ELSE
      IF NOT g_enabled THEN codes := codes || 'policy_disabled'::text; hard := true; END IF;
      IF g_max_exp IS NOT NULL AND l_exp[ge] + amt > g_max_exp THEN
        codes := codes || 'global_exposure_cap'::text; hard := hard OR NOT g_observe; END IF;
      IF g_max_open IS NOT NULL AND l_open[ge] + amt > g_max_open THEN
        codes := codes || 'global_open_risk_cap'::text; hard := hard OR NOT g_observe; END IF;
      IF g_max_loss IS NOT NULL AND l_loss[ge] >= g_max_loss THEN
        codes := codes || 'global_loss_cap'::text; hard := hard OR NOT g_observe; END IF;
      IF g_max_act IS NOT NULL AND l_act[ge] + 1 > g_max_act THEN
        codes := codes || 'global_action_cap'::text; hard := hard OR NOT g_observe; END IF;
    END IF;
    IF e IS NULL THEN
      codes := codes || 'no_engine_policy'::text; hard := true;
    ELSE
      IF NOT k_enabled[e] THEN
        IF NOT ('policy_disabled' = ANY (codes)) THEN codes := codes || 'policy_disabled'::text; END IF;
        hard := true;
      END IF;
      IF k_max_exp[e] IS NOT NULL AND l_exp[ke] + amt > k_max_exp[e] THEN
        codes := codes || 'engine_exposure_cap'::text; hard := hard OR NOT k_observe[e]; END IF;
      IF k_max_open[e] IS NOT NULL AND l_open[ke] + amt > k_max_open[e] THEN
        codes := codes || 'engine_open_risk_cap'::text; hard := hard OR NOT k_observe[e]; END IF;
      IF k_max_loss[e] IS NOT NULL AND l_loss[ke] >= k_max_loss[e] THEN
        codes := codes || 'engine_loss_cap'::text; hard := hard OR NOT k_observe[e]; END IF;
      IF k_max_act[e] IS NOT NULL AND l_act[ke] + 1 > k_max_act[e] THEN
        codes := codes || 'engine_action_cap'::text; hard := hard OR NOT k_observe[e]; END IF;
    END IF;

    det := jsonb_build_object(
      'engine', p_engines[i], 'amount', trim_scale(amt)::text, 'day', p_day::text,
      'global', CASE WHEN g_has THEN risk_scope_json('GLOBAL', g_enabled, g_mode, g_dreason,
          g_max_exp, g_max_open, g_max_loss, g_max_act, l_exp[ge], l_open[ge], l_loss[ge], l_act[ge]) END,
      'engine_scope', CASE WHEN e IS NOT NULL THEN risk_scope_json(k_eng[e], k_enabled[e], k_mode[e], k_dreason[e],
          k_max_exp[e], k_max_open[e], k_max_loss[e], k_max_act[e], l_exp[ke], l_open[ke], l_loss[ke], l_act[ke]) END);
    o_codes[i] := array_to_string(codes, ','); o_det[i] := det;

    IF e IS NULL THEN
      -- Unknown engine: denied without touching the ledger or consuming the key.
      o_out[i] := 'unrecorded';
    ELSIF hard THEN
      o_out[i] := 'denied';
      l_den[ke] := l_den[ke] + 1; l_den[ge] := l_den[ge] + 1; l_chg[ke] := true; l_chg[ge] := true;
      dn := dn + 1; dn_i[dn] := i; dn_codes[dn] := o_codes[i]; dn_det[dn] := det;
    ELSE
      -- Allowed although a cap of a scope in observe mode fails: recorded with the would-be denial.
      o_out[i] := 'allowed_observed';
      l_exp[ge] := l_exp[ge] + amt; l_open[ge] := l_open[ge] + amt; l_act[ge] := l_act[ge] + 1; l_chg[ge] := true;
      l_exp[ke] := l_exp[ke] + amt; l_open[ke] := l_open[ke] + amt; l_act[ke] := l_act[ke] + 1; l_chg[ke] := true;
      c := c + 1; rv_i[c] := i; rv_id[c] := gen_random_uuid(); o_res[i] := rv_id[c];
      rv_out[c] := 'allowed_observed'; rv_codes[c] := o_codes[i]; rv_det[c] := det;
    END IF;
  END LOOP;

  -- 5. The batch's writes as one statement: closed reservations, new reservations, every decision event
  -- (denials and refused settles too) in arrival order, and each changed ledger row once.
  IF c + dn > 0 OR nr < n THEN
    WITH closed AS (
      UPDATE risk_reservation rs
         SET status = c_out[u.i], realized_loss = CASE WHEN c_out[u.i] = 'settled' THEN p_amounts[u.i] END,
             closed_at = p_now, closed_by = p_principals[u.i], close_reason = p_reasons[u.i]
        FROM generate_series(1, n) AS u(i)
       WHERE c_out[u.i] IN ('settled', 'voided') AND rs.id = c_res[u.i]
    ), admitted AS (
      INSERT INTO risk_reservation (id, correlation_id, day, engine, amount, status, reason, observed_reason_codes,
                                    principal, request_digest, reserved_at, expires_at)
      SELECT u.id, p_cids[u.i], p_day, p_engines[u.i], p_amounts[u.i], 'reserved', p_reasons[u.i],
             coalesce(string_to_array(nullif(u.codes, ''), ','), '{}'), p_principals[u.i], p_digests[u.i], p_now,
             p_now + make_interval(secs => k_ttl[req_e[u.i]])
        FROM unnest(rv_i, rv_id, rv_codes) AS u(i, id, codes)
    ), recorded AS (
      INSERT INTO risk_event (at, day, engine, kind, outcome, correlation_id, reservation_id, amount, realized_loss, reason_codes,
                              reason, principal, request_digest, details)
      SELECT p_now, x.day, x.engine, x.kind, x.out, x.cid, x.id, x.amount, x.loss, x.codes, x.reason, p_principals[x.i], x.digest, x.det
        FROM (SELECT u.i, p_day AS day, p_engines[u.i] AS engine, 'reserve' AS kind, coalesce(u.out, 'allowed') AS out, p_cids[u.i] AS cid,
                     u.id, p_amounts[u.i] AS amount, NULL::numeric AS loss, coalesce(string_to_array(nullif(u.codes, ''), ','), '{}') AS codes,
                     p_reasons[u.i] AS reason, p_digests[u.i] AS digest, u.det
                FROM unnest(rv_i, rv_id, rv_out, rv_codes, rv_det) AS u(i, id, out, codes, det)
              UNION ALL
              SELECT u.i, p_day, p_engines[u.i], 'reserve', 'denied', p_cids[u.i], NULL, p_amounts[u.i], NULL,
                     coalesce(string_to_array(nullif(u.codes, ''), ','), '{}'), p_reasons[u.i], p_digests[u.i], u.det
                FROM unnest(dn_i, dn_codes, dn_det) AS u(i, codes, det)
              UNION ALL
              SELECT u.i, c_day[u.i], c_eng[u.i], p_kinds[u.i], c_out[u.i], c_cid[u.i], c_res[u.i], c_amt[u.i],
                     CASE WHEN c_out[u.i] = 'settled' THEN p_amounts[u.i] END, '{}'::text[], p_reasons[u.i], NULL, NULL::jsonb
                FROM generate_series(1, n) AS u(i) WHERE c_out[u.i] IN ('settled', 'voided')
              UNION ALL
              SELECT u.i, c_day[u.i], c_eng[u.i], 'settle', 'refused', c_cid[u.i], c_res[u.i], c_amt[u.i], p_amounts[u.i],
                     '{loss_exceeds_reservation}'::text[], p_reasons[u.i], NULL,
                     jsonb_build_object('max_loss', trim_scale(c_max[u.i])::text, 'requested_loss', trim_scale(p_amounts[u.i])::text)
                FROM generate_series(1, n) AS u(i) WHERE c_out[u.i] = 'loss_exceeds') x
       ORDER BY x.i
    )
    -- unnest (estimated small) drives a primary-key probe per row; generate_subscripts was estimated at
    -- 500 rows and got a hash join over a full scan of the index, which grows with every day and engine.
    UPDATE risk_ledger_day l
       SET exposure_used = u.exp, open_risk_reserved = u.open, realized_loss = u.loss, actions_count = u.act, denials_count = u.den
      FROM unnest(l_day, l_eng, l_exp, l_open, l_loss, l_act, l_den, l_chg) AS u(d, en, exp, open, loss, act, den, chg)
     WHERE u.chg AND l.day = u.d AND l.engine = u.en;
  END IF;

  RETURN QUERY
  SELECT u.i,
         CASE WHEN p_kinds[u.i] = 'reserve' THEN coalesce(o_out[u.i], 'allowed') ELSE c_out[u.i] END,
         CASE WHEN p_kinds[u.i] = 'reserve' THEN coalesce(o_res[u.i], x_res[o_x[u.i]]) ELSE c_res[u.i] END,
         coalesce(string_to_array(nullif(coalesce(o_codes[u.i], x_codes[o_x[u.i]]), ''), ','), '{}'),
         coalesce(o_det[u.i], x_details[o_x[u.i]]),
         CASE WHEN p_kinds[u.i] <> 'reserve' THEN c_day[u.i]::text WHEN o_res[u.i] IS NOT NULL THEN p_day::text ELSE x_day[o_x[u.i]] END,
         CASE WHEN p_kinds[u.i] <> 'reserve' THEN c_reserved[u.i] WHEN o_res[u.i] IS NOT NULL THEN p_now ELSE x_reserved[o_x[u.i]] END,
         CASE WHEN p_kinds[u.i] <> 'reserve' THEN c_expires[u.i]
              WHEN o_res[u.i] IS NOT NULL THEN p_now + make_interval(secs => k_ttl[req_e[u.i]]) ELSE x_expires[o_x[u.i]] END,
         CASE WHEN p_kinds[u.i] <> 'reserve' THEN CASE WHEN c_out[u.i] IN ('settled', 'voided') THEN c_out[u.i] ELSE c_old_status[u.i] END
              WHEN o_res[u.i] IS NOT NULL THEN 'reserved' ELSE x_status[o_x[u.i]] END,
         x_outcomes[o_x[u.i]],
         c_cid[u.i], c_eng[u.i], c_amt[u.i],
         CASE WHEN c_out[u.i] = 'settled' THEN p_amounts[u.i] WHEN c_out[u.i] = 'voided' THEN NULL ELSE c_old_loss[u.i] END,
         CASE WHEN c_out[u.i] IN ('settled', 'voided') THEN p_now ELSE c_old_closed[u.i] END,
         CASE WHEN c_out[u.i] IN ('settled', 'voided') THEN p_reasons[u.i] ELSE c_old_reason[u.i] END,
         c_max[u.i],
         l_exp[c_erow[u.i]], l_open[c_erow[u.i]], l_loss[c_erow[u.i]], l_act[c_erow[u.i]],
         l_exp[c_grow[u.i]], l_open[c_grow[u.i]], l_loss[c_grow[u.i]], l_act[c_grow[u.i]]
    FROM generate_series(1, n) AS u(i);

  -- The last step, after every write: past the deadline the whole batch rolls back (see the header).
  IF clock_timestamp() >= p_deadline THEN
    RAISE EXCEPTION 'risk_ledger_batch: the client deadline passed before the batch finished' USING ERRCODE = '57014';
  END IF;
END
$fn$;
`,
};
