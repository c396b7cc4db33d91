import type { RepeatableSql } from '#platform';

/**
 * The single source of risk_reserve_batch, applied by the repeatable step when this text changes
 * (libs/platform/src/database/repeatable-sql.ts). History: 1763700000300, 1763700000310.
 */
export const RISK_RESERVE_BATCH_SQL: RepeatableSql = {
  name: 'risk_reserve_batch',
  sql: `
/*
 * risk_reserve_batch: admits each request all-or-nothing, in arrival order, against running totals
 * of the day's GLOBAL row and engine rows, which it locks (engines sorted, GLOBAL last) for the
 * whole batch. (engine, correlation_id) pairs are unique within a batch (the caller defers duplicates).
 * Outcomes: allowed | allowed_observed | denied (recorded, counted) | unrecorded (no engine policy:
 * nothing is written) | replay (the engine used the key with the same digest) | conflict (another digest).
 * The day and "now" come from the caller's injected clock, never from SQL now().
 * Index plans are pinned (enable_seqscan = off): see migration 1763700000310.
 */
CREATE OR REPLACE FUNCTION risk_reserve_batch(
  p_day date, p_now timestamptz, p_kill boolean,
  p_cids text[], p_engines text[], p_amounts numeric[], p_digests text[], p_reasons text[], p_principals text[]
) RETURNS TABLE (
  ord integer, outcome text, reservation_id uuid, reason_codes text[], details jsonb,
  day text, reserved_at timestamptz, expires_at timestamptz, status text, original_outcome text
) LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
#variable_conflict use_column
DECLARE
  n integer := coalesce(array_length(p_cids, 1), 0);
  -- Engine scopes, sorted; GLOBAL is kept in scalars (it is in every decision).
  k_eng text[]; k_enabled boolean[]; k_observe boolean[]; k_mode text[]; k_dreason text[];
  k_max_exp numeric[]; k_max_open numeric[]; k_max_loss numeric[]; k_max_act integer[]; k_ttl integer[]; k_ok boolean[];
  k_exp numeric[]; k_open numeric[]; k_loss numeric[]; k_act bigint[]; k_den bigint[]; k_act0 bigint[]; k_den0 bigint[];
  g_has boolean := false; g_enabled boolean; g_observe boolean; g_mode text; g_dreason text; g_ok boolean := false;
  g_max_exp numeric; g_max_open numeric; g_max_loss numeric; g_max_act integer;
  g_exp numeric := 0; g_open numeric := 0; g_loss numeric := 0; g_act bigint := 0; g_den bigint := 0; g_act0 bigint; g_den0 bigint;
  -- Keys already used, and this batch's outcomes (sparse: unset = allowed).
  x_cids text[]; x_digests text[]; x_outcomes text[]; x_res uuid[]; x_codes text[]; x_details jsonb[];
  x_day text[]; x_reserved timestamptz[]; x_expires timestamptz[]; x_status text[];
  o_out text[] := '{}'; o_res uuid[] := '{}'; o_codes text[] := '{}'; o_det jsonb[] := '{}'; o_x integer[] := '{}';
  -- Rows to write: admitted (by request index) and recorded denials.
  rv_i integer[] := '{}'; rv_id uuid[] := '{}'; rv_out text[] := '{}'; rv_codes text[] := '{}'; rv_det jsonb[] := '{}';
  dn_i integer[] := '{}'; dn_codes text[] := '{}'; dn_det jsonb[] := '{}';
  e integer; i integer; c integer := 0; dn integer := 0; r record; amt numeric; codes text[]; hard boolean; det jsonb;
BEGIN
  IF n = 0 THEN RETURN; END IF;

  -- The policies of the batch's engines and GLOBAL, in one query; engines without a policy stay out of k_eng.
  k_eng := '{}';
  FOR r IN SELECT p.* FROM risk_policy p WHERE p.engine = ANY (p_engines) OR p.engine = 'GLOBAL' ORDER BY p.engine LOOP
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

  -- Every involved row of the day is locked in the fixed order (engines sorted, GLOBAL last). Rows
  -- still missing are created by one ordered upsert, which locks existing and new rows in its input
  -- order, so no writer ever takes these locks in another order.
  SELECT count(*) INTO c FROM risk_ledger_day l WHERE l.day = p_day AND (l.engine = ANY (k_eng) OR l.engine = 'GLOBAL');
  FOR r IN
    SELECT l.* FROM risk_ledger_day l WHERE c = cardinality(k_eng) + 1 AND l.day = p_day AND (l.engine = ANY (k_eng) OR l.engine = 'GLOBAL')
     ORDER BY l.engine = 'GLOBAL', l.engine FOR UPDATE
  LOOP
    IF r.engine = 'GLOBAL' THEN
      g_exp := r.exposure_used; g_open := r.open_risk_reserved; g_loss := r.realized_loss; g_act := r.actions_count; g_den := r.denials_count;
    ELSE
      i := array_position(k_eng, r.engine);
      k_exp[i] := r.exposure_used; k_open[i] := r.open_risk_reserved; k_loss[i] := r.realized_loss; k_act[i] := r.actions_count; k_den[i] := r.denials_count;
    END IF;
  END LOOP;
  IF c <> cardinality(k_eng) + 1 THEN
    FOR r IN INSERT INTO risk_ledger_day AS l (day, engine)
             SELECT p_day, u.engine FROM unnest(k_eng || 'GLOBAL'::text) AS u(engine) ORDER BY u.engine = 'GLOBAL', u.engine
             ON CONFLICT ON CONSTRAINT pk_risk_ledger_day DO UPDATE SET denials_count = l.denials_count
             RETURNING l.* LOOP
      IF r.engine = 'GLOBAL' THEN
        g_exp := r.exposure_used; g_open := r.open_risk_reserved; g_loss := r.realized_loss; g_act := r.actions_count; g_den := r.denials_count;
      ELSE
        i := array_position(k_eng, r.engine);
        k_exp[i] := r.exposure_used; k_open[i] := r.open_risk_reserved; k_loss[i] := r.realized_loss; k_act[i] := r.actions_count; k_den[i] := r.denials_count;
      END IF;
    END LOOP;
  END IF;
  g_act0 := g_act; g_den0 := g_den; k_act0 := k_act; k_den0 := k_den;
  -- Realized loss does not move during a reserve batch: the loss checks are decided once per scope.
  g_ok := g_has AND g_enabled AND (g_max_loss IS NULL OR g_loss < g_max_loss);
  FOR i IN 1..coalesce(array_length(k_eng, 1), 0) LOOP
    k_ok[i] := k_enabled[i] AND (k_max_loss[i] IS NULL OR k_loss[i] < k_max_loss[i]);
  END LOOP;

  -- Keys already used (by this engine): their recorded answer is returned (or 409 when the body differs).
  -- Keys are scoped per engine: the same correlation_id under two engines is two requests (key text: engine ' ' cid).
  SELECT array_agg(ev.engine || ' ' || ev.correlation_id), array_agg(ev.request_digest), array_agg(ev.outcome), array_agg(ev.reservation_id),
         array_agg(array_to_string(ev.reason_codes, ',')), array_agg(ev.details), array_agg(rs.day::text),
         array_agg(rs.reserved_at), array_agg(rs.expires_at), array_agg(rs.status)
    INTO x_cids, x_digests, x_outcomes, x_res, x_codes, x_details, x_day, x_reserved, x_expires, x_status
    FROM unnest(p_engines, p_cids) AS k(engine, cid)
    JOIN risk_event ev ON ev.kind = 'reserve' AND ev.correlation_id = k.cid AND ev.engine = k.engine
    LEFT JOIN risk_reservation rs ON rs.id = ev.reservation_id;
  c := 0;

  FOR i IN 1..n LOOP
    IF x_cids IS NOT NULL THEN
      e := array_position(x_cids, p_engines[i] || ' ' || p_cids[i]);
      IF e IS NOT NULL THEN
        o_out[i] := CASE WHEN x_digests[e] = p_digests[i] THEN 'replay' ELSE 'conflict' END; o_x[i] := e;
        CONTINUE;
      END IF;
    END IF;
    amt := p_amounts[i];
    e := array_position(k_eng, p_engines[i]);

    -- Fast path: every check of both scopes passes.
    IF NOT p_kill AND g_ok AND e IS NOT NULL AND k_ok[e]
       AND (g_max_exp IS NULL OR g_exp + amt <= g_max_exp) AND (g_max_open IS NULL OR g_open + amt <= g_max_open)
       AND (g_max_act IS NULL OR g_act < g_max_act)
       AND (k_max_exp[e] IS NULL OR k_exp[e] + amt <= k_max_exp[e]) AND (k_max_open[e] IS NULL OR k_open[e] + amt <= k_max_open[e])
       AND (k_max_act[e] IS NULL OR k_act[e] < k_max_act[e]) THEN
      g_exp := g_exp + amt; g_open := g_open + amt; g_act := g_act + 1;
      k_exp[e] := k_exp[e] + amt; k_open[e] := k_open[e] + amt; k_act[e] := k_act[e] + 1;
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
      IF g_max_exp IS NOT NULL AND g_exp + amt > g_max_exp THEN
        codes := codes || 'global_exposure_cap'::text; hard := hard OR NOT g_observe; END IF;
      IF g_max_open IS NOT NULL AND g_open + amt > g_max_open THEN
        codes := codes || 'global_open_risk_cap'::text; hard := hard OR NOT g_observe; END IF;
      IF g_max_loss IS NOT NULL AND g_loss >= g_max_loss THEN
        codes := codes || 'global_loss_cap'::text; hard := hard OR NOT g_observe; END IF;
      IF g_max_act IS NOT NULL AND g_act + 1 > g_max_act THEN
        codes := codes || 'global_action_cap'::text; hard := hard OR NOT g_observe; END IF;
    END IF;
    IF e IS NULL THEN
      codes := codes || 'no_engine_policy'::text; hard := true;
    ELSE
      IF NOT k_enabled[e] THEN
        IF NOT ('policy_disabled' = ANY (codes)) THEN codes := codes || 'policy_disabled'::text; END IF;
        hard := true;
      END IF;
      IF k_max_exp[e] IS NOT NULL AND k_exp[e] + amt > k_max_exp[e] THEN
        codes := codes || 'engine_exposure_cap'::text; hard := hard OR NOT k_observe[e]; END IF;
      IF k_max_open[e] IS NOT NULL AND k_open[e] + amt > k_max_open[e] THEN
        codes := codes || 'engine_open_risk_cap'::text; hard := hard OR NOT k_observe[e]; END IF;
      IF k_max_loss[e] IS NOT NULL AND k_loss[e] >= k_max_loss[e] THEN
        codes := codes || 'engine_loss_cap'::text; hard := hard OR NOT k_observe[e]; END IF;
      IF k_max_act[e] IS NOT NULL AND k_act[e] + 1 > k_max_act[e] THEN
        codes := codes || 'engine_action_cap'::text; hard := hard OR NOT k_observe[e]; END IF;
    END IF;

    det := jsonb_build_object(
      'engine', p_engines[i], 'amount', trim_scale(amt)::text, 'day', p_day::text,
      'global', CASE WHEN g_has THEN risk_scope_json('GLOBAL', g_enabled, g_mode, g_dreason,
          g_max_exp, g_max_open, g_max_loss, g_max_act, g_exp, g_open, g_loss, g_act) END,
      'engine_scope', CASE WHEN e IS NOT NULL THEN risk_scope_json(k_eng[e], k_enabled[e], k_mode[e], k_dreason[e],
          k_max_exp[e], k_max_open[e], k_max_loss[e], k_max_act[e], k_exp[e], k_open[e], k_loss[e], k_act[e]) END);
    o_codes[i] := array_to_string(codes, ','); o_det[i] := det;

    IF e IS NULL THEN
      -- Unknown engine: denied without touching the ledger or consuming the key.
      o_out[i] := 'unrecorded';
    ELSIF hard THEN
      o_out[i] := 'denied';
      k_den[e] := k_den[e] + 1; g_den := g_den + 1;
      dn := dn + 1; dn_i[dn] := i; dn_codes[dn] := o_codes[i]; dn_det[dn] := det;
    ELSE
      -- Allowed although a cap of a scope in observe mode fails: recorded with the would-be denial.
      o_out[i] := 'allowed_observed';
      g_exp := g_exp + amt; g_open := g_open + amt; g_act := g_act + 1;
      k_exp[e] := k_exp[e] + amt; k_open[e] := k_open[e] + amt; k_act[e] := k_act[e] + 1;
      c := c + 1; rv_i[c] := i; rv_id[c] := gen_random_uuid(); o_res[i] := rv_id[c];
      rv_out[c] := 'allowed_observed'; rv_codes[c] := o_codes[i]; rv_det[c] := det;
    END IF;
  END LOOP;

  -- The batch's writes as one statement: reservations, their decision events (denials too), the ledger rows.
  IF c + dn > 0 THEN
    WITH admitted AS (
      INSERT INTO risk_reservation (id, correlation_id, day, engine, amount, status, reason, observed_reason_codes,
                                    principal, request_digest, reserved_at, expires_at)
      SELECT u.id, p_cids[u.i], p_day, p_engines[u.i], p_amounts[u.i], 'reserved', p_reasons[u.i],
             coalesce(string_to_array(nullif(u.codes, ''), ','), '{}'), p_principals[u.i], p_digests[u.i], p_now,
             p_now + make_interval(secs => k_ttl[array_position(k_eng, p_engines[u.i])])
        FROM unnest(rv_i, rv_id, rv_codes) AS u(i, id, codes)
    ), recorded AS (
      INSERT INTO risk_event (at, day, engine, kind, outcome, correlation_id, reservation_id, amount, reason_codes,
                              reason, principal, request_digest, details)
      SELECT p_now, p_day, p_engines[x.i], 'reserve', x.out, p_cids[x.i], x.id, p_amounts[x.i],
             coalesce(string_to_array(nullif(x.codes, ''), ','), '{}'), p_reasons[x.i], p_principals[x.i], p_digests[x.i], x.det
        FROM (SELECT u.i, u.id, coalesce(u.out, 'allowed') AS out, u.codes, u.det FROM unnest(rv_i, rv_id, rv_out, rv_codes, rv_det) AS u(i, id, out, codes, det)
              UNION ALL
              SELECT u.i, NULL, 'denied', u.codes, u.det FROM unnest(dn_i, dn_codes, dn_det) AS u(i, codes, det)) x
       ORDER BY x.i
    )
    UPDATE risk_ledger_day l
       SET exposure_used = u.exp, open_risk_reserved = u.open, actions_count = u.act, denials_count = u.den
      FROM unnest(k_eng || 'GLOBAL'::text, k_exp || g_exp, k_open || g_open, k_act || g_act, k_den || g_den,
                  k_act0 || g_act0, k_den0 || g_den0) AS u(engine, exp, open, act, den, act0, den0)
     WHERE l.day = p_day AND l.engine = u.engine AND (u.act <> u.act0 OR u.den <> u.den0);
  END IF;

  RETURN QUERY
  SELECT u.i, coalesce(o_out[u.i], 'allowed'), coalesce(o_res[u.i], x_res[o_x[u.i]]),
         coalesce(string_to_array(nullif(coalesce(o_codes[u.i], x_codes[o_x[u.i]]), ''), ','), '{}'),
         coalesce(o_det[u.i], x_details[o_x[u.i]]),
         CASE WHEN o_res[u.i] IS NOT NULL THEN p_day::text ELSE x_day[o_x[u.i]] END,
         CASE WHEN o_res[u.i] IS NOT NULL THEN p_now ELSE x_reserved[o_x[u.i]] END,
         CASE WHEN o_res[u.i] IS NOT NULL THEN p_now + make_interval(secs => k_ttl[array_position(k_eng, p_engines[u.i])])
              ELSE x_expires[o_x[u.i]] END,
         CASE WHEN o_res[u.i] IS NOT NULL THEN 'reserved' ELSE x_status[o_x[u.i]] END,
         x_outcomes[o_x[u.i]]
    FROM generate_series(1, n) AS u(i);
END
$fn$;
`,
};
