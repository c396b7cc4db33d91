import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Risk guard: policies, the per-UTC-day ledger (GLOBAL is a row like any engine), reservations and the
 * append-only event trail, plus the two server-side functions that apply a whole batch of reserve
 * (or settle/void) requests in one transaction and one round trip.
 *
 * Lock order, shared by every writer so none can deadlock another:
 *   risk_reservation rows (by id)  <  risk_ledger_day engine rows (by engine, day)  <  GLOBAL rows (by day).
 * Reserve batches take only ledger rows; settle/void batches take reservations, then ledger rows;
 * the expiry sweep takes reservations with SKIP LOCKED and never touches the ledger.
 */
export class RiskGuard1763700000300 implements MigrationInterface {
  name = 'RiskGuard1763700000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE risk_policy (
        engine text PRIMARY KEY CHECK (engine ~ '^[A-Z0-9_]{1,32}$'),
        enabled boolean NOT NULL DEFAULT true,
        max_daily_exposure numeric(19, 4) CHECK (max_daily_exposure >= 0),
        max_open_risk numeric(19, 4) CHECK (max_open_risk >= 0),
        max_daily_loss numeric(19, 4) CHECK (max_daily_loss >= 0),
        max_actions_per_day integer CHECK (max_actions_per_day >= 0),
        reservation_ttl_seconds integer NOT NULL DEFAULT 900 CHECK (reservation_ttl_seconds BETWEEN 1 AND 604800),
        enforcement_mode text NOT NULL DEFAULT 'enforce' CHECK (enforcement_mode IN ('enforce', 'observe')),
        disabled_reason text,
        updated_by text NOT NULL DEFAULT 'system',
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE risk_ledger_day (
        day date NOT NULL,
        engine text NOT NULL,
        exposure_used numeric NOT NULL DEFAULT 0,
        open_risk_reserved numeric NOT NULL DEFAULT 0,
        realized_loss numeric NOT NULL DEFAULT 0,
        actions_count bigint NOT NULL DEFAULT 0,
        denials_count bigint NOT NULL DEFAULT 0,
        CONSTRAINT pk_risk_ledger_day PRIMARY KEY (day, engine)
      );

      CREATE TABLE risk_reservation (
        id uuid PRIMARY KEY,
        correlation_id text NOT NULL,
        day date NOT NULL,
        engine text NOT NULL,
        amount numeric(19, 4) NOT NULL CHECK (amount > 0),
        status text NOT NULL CHECK (status IN ('reserved', 'expired', 'settled', 'voided')),
        reason text,
        observed_reason_codes text[] NOT NULL DEFAULT '{}',
        principal text NOT NULL,
        request_digest text NOT NULL,
        reserved_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        realized_loss numeric(19, 4) CHECK (realized_loss >= 0),
        closed_at timestamptz,
        closed_by text,
        close_reason text
      );
      CREATE UNIQUE INDEX ux_risk_reservation_correlation ON risk_reservation (correlation_id);
      -- Only reservations still holding open risk: the expiry sweep and the open listing read it; a settle
      -- moves its row out of it. (Each index on these two tables is paid on every reservation.)
      CREATE INDEX ix_risk_reservation_open ON risk_reservation (expires_at) WHERE status IN ('reserved', 'expired');

      CREATE TABLE risk_event (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        day date NOT NULL,
        engine text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('reserve', 'settle', 'void', 'expire', 'day_close')),
        outcome text NOT NULL,
        correlation_id text,
        reservation_id uuid,
        amount numeric(19, 4),
        realized_loss numeric(19, 4),
        reason_codes text[] NOT NULL DEFAULT '{}',
        reason text,
        principal text NOT NULL,
        request_digest text,
        details jsonb
      );
      -- The reserve event is also the idempotency record: one per correlation_id, allowed or denied.
      CREATE UNIQUE INDEX ux_risk_event_reserve_correlation ON risk_event (correlation_id) WHERE kind = 'reserve';
      -- One close snapshot per day, whatever runs the job.
      CREATE UNIQUE INDEX ux_risk_event_day_close ON risk_event (day) WHERE kind = 'day_close';
      CREATE INDEX ix_risk_event_engine ON risk_event (engine, id);
      CREATE TRIGGER risk_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON risk_event
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();
    `);

    // One scope's caps, usage and headroom as JSON with exact decimal strings (for denial details).
    await q.query(`
      CREATE FUNCTION risk_scope_json(
        p_engine text, p_enabled boolean, p_mode text, p_disabled_reason text,
        p_max_exposure numeric, p_max_open numeric, p_max_loss numeric, p_max_actions integer,
        p_exposure numeric, p_open numeric, p_loss numeric, p_actions bigint
      ) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
        SELECT jsonb_build_object(
          'engine', p_engine,
          'enabled', p_enabled,
          'enforcement_mode', p_mode,
          'disabled_reason', p_disabled_reason,
          'caps', jsonb_build_object(
            'max_daily_exposure', trim_scale(p_max_exposure)::text, 'max_open_risk', trim_scale(p_max_open)::text,
            'max_daily_loss', trim_scale(p_max_loss)::text, 'max_actions_per_day', p_max_actions),
          'usage', jsonb_build_object(
            'exposure_used', trim_scale(p_exposure)::text, 'open_risk_reserved', trim_scale(p_open)::text,
            'realized_loss', trim_scale(p_loss)::text, 'actions_count', p_actions),
          'headroom', jsonb_build_object(
            'exposure', trim_scale(p_max_exposure - p_exposure)::text, 'open_risk', trim_scale(p_max_open - p_open)::text,
            'loss', trim_scale(p_max_loss - p_loss)::text, 'actions', p_max_actions - p_actions))
      $$;
    `);

    /*
     * risk_reserve_batch: admits each request all-or-nothing, in arrival order, against running totals
     * of the day's GLOBAL row and engine rows, which it locks (engines sorted, GLOBAL last) for the
     * whole batch. Correlation ids are unique within a batch (the caller defers duplicates).
     * Outcomes: allowed | allowed_observed | denied (recorded, counted) | unrecorded (no engine policy:
     * nothing is written) | replay (the key was used with the same digest) | conflict (different digest).
     * The day and "now" come from the caller's injected clock, never from SQL now().
     */
    await q.query(`
      CREATE FUNCTION risk_reserve_batch(
        p_day date, p_now timestamptz, p_kill boolean,
        p_cids text[], p_engines text[], p_amounts numeric[], p_digests text[], p_reasons text[], p_principals text[]
      ) RETURNS TABLE (
        ord integer, outcome text, reservation_id uuid, reason_codes text[], details jsonb,
        day text, reserved_at timestamptz, expires_at timestamptz, status text, original_outcome text
      ) LANGUAGE plpgsql AS $fn$
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

        SELECT array_agg(s.engine ORDER BY s.engine) INTO k_eng
          FROM (SELECT DISTINCT u.engine FROM unnest(p_engines) AS u(engine) WHERE u.engine <> 'GLOBAL') s
          WHERE EXISTS (SELECT 1 FROM risk_policy p WHERE p.engine = s.engine);
        k_eng := coalesce(k_eng, '{}');

        FOR r IN SELECT p.* FROM risk_policy p WHERE p.engine = ANY (k_eng) OR p.engine = 'GLOBAL' LOOP
          IF r.engine = 'GLOBAL' THEN
            g_has := true; g_enabled := r.enabled; g_observe := r.enforcement_mode = 'observe'; g_mode := r.enforcement_mode;
            g_dreason := r.disabled_reason; g_max_exp := r.max_daily_exposure; g_max_open := r.max_open_risk;
            g_max_loss := r.max_daily_loss; g_max_act := r.max_actions_per_day;
          ELSE
            i := array_position(k_eng, r.engine);
            k_enabled[i] := r.enabled; k_observe[i] := r.enforcement_mode = 'observe';
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

        -- Keys already used: their recorded answer is returned (or 409 when the body differs).
        SELECT array_agg(ev.correlation_id), array_agg(ev.request_digest), array_agg(ev.outcome), array_agg(ev.reservation_id),
               array_agg(array_to_string(ev.reason_codes, ',')), array_agg(ev.details), array_agg(rs.day::text),
               array_agg(rs.reserved_at), array_agg(rs.expires_at), array_agg(rs.status)
          INTO x_cids, x_digests, x_outcomes, x_res, x_codes, x_details, x_day, x_reserved, x_expires, x_status
          FROM risk_event ev LEFT JOIN risk_reservation rs ON rs.id = ev.reservation_id
          WHERE ev.kind = 'reserve' AND ev.correlation_id = ANY (p_cids);
        c := 0;

        FOR i IN 1..n LOOP
          IF x_cids IS NOT NULL THEN
            e := array_position(x_cids, p_cids[i]);
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

        IF c > 0 THEN
          INSERT INTO risk_reservation (id, correlation_id, day, engine, amount, status, reason, observed_reason_codes,
                                        principal, request_digest, reserved_at, expires_at)
          SELECT u.id, p_cids[u.i], p_day, p_engines[u.i], p_amounts[u.i], 'reserved', p_reasons[u.i],
                 coalesce(string_to_array(nullif(u.codes, ''), ','), '{}'), p_principals[u.i], p_digests[u.i], p_now,
                 p_now + make_interval(secs => k_ttl[array_position(k_eng, p_engines[u.i])])
            FROM unnest(rv_i, rv_id, rv_codes) AS u(i, id, codes);
        END IF;
        IF c + dn > 0 THEN
          INSERT INTO risk_event (at, day, engine, kind, outcome, correlation_id, reservation_id, amount, reason_codes,
                                  reason, principal, request_digest, details)
          SELECT p_now, p_day, p_engines[x.i], 'reserve', x.out, p_cids[x.i], x.id, p_amounts[x.i],
                 coalesce(string_to_array(nullif(x.codes, ''), ','), '{}'), p_reasons[x.i], p_principals[x.i], p_digests[x.i], x.det
            FROM (SELECT u.i, u.id, coalesce(u.out, 'allowed') AS out, u.codes, u.det FROM unnest(rv_i, rv_id, rv_out, rv_codes, rv_det) AS u(i, id, out, codes, det)
                  UNION ALL
                  SELECT u.i, NULL, 'denied', u.codes, u.det FROM unnest(dn_i, dn_codes, dn_det) AS u(i, codes, det)) x
           ORDER BY x.i;
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
    `);

    /*
     * risk_close_batch: settles or voids reservations, set-based. Each request names its reservation by
     * id or by correlation_id. Open risk shrinks by the reserved amount and realized loss grows, on the
     * reservation's own day, for its engine row and the GLOBAL row. Outcomes: settled | voided |
     * replay (already closed the same way) | conflict (closed with other values) | not_open (settle of
     * a voided one or void of a settled one) | not_found | not_bound (the caller's token is bound to
     * other engines) | retry (a second request for the same reservation in this batch: the caller
     * resubmits it, it then sees the first one's effect). Returns the reservation and its day's engine
     * and GLOBAL rows after the batch.
     */
    await q.query(`
      CREATE FUNCTION risk_close_batch(
        p_now timestamptz, p_kinds text[], p_ids uuid[], p_cids text[], p_losses numeric[],
        p_reasons text[], p_principals text[], p_bound text[]
      ) RETURNS TABLE (
        ord integer, outcome text, reservation_id uuid, correlation_id text, engine text, day text, amount numeric,
        status text, realized_loss numeric, reserved_at timestamptz, expires_at timestamptz, closed_at timestamptz,
        close_reason text, e_exposure numeric, e_open numeric, e_loss numeric, e_actions bigint,
        g_exposure numeric, g_open numeric, g_loss numeric, g_actions bigint
      ) LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_ids uuid[];
      BEGIN
        IF coalesce(array_length(p_kinds, 1), 0) = 0 THEN RETURN; END IF;

        -- Lock order: the reservations (by id), then their ledger rows (engines by engine and day, GLOBAL last).
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
          SELECT u.* FROM unnest(p_kinds, p_ids, p_cids, p_losses, p_reasons, p_principals, p_bound) WITH ORDINALITY
                 AS u(kind, rid, cid, loss, reason, prin, bound, ord)
        ), locked AS (
          SELECT r.* FROM risk_reservation r WHERE r.id = ANY (v_ids)
        ), m AS (
          SELECT req.*, coalesce(a.id, b.id) AS res_id, coalesce(a.correlation_id, b.correlation_id) AS res_cid,
                 coalesce(a.engine, b.engine) AS res_engine, coalesce(a.day, b.day) AS res_day, coalesce(a.amount, b.amount) AS res_amount,
                 coalesce(a.status, b.status) AS old_status, coalesce(a.realized_loss, b.realized_loss) AS old_loss,
                 coalesce(a.close_reason, b.close_reason) AS old_reason, coalesce(a.closed_at, b.closed_at) AS old_closed,
                 coalesce(a.reserved_at, b.reserved_at) AS res_reserved, coalesce(a.expires_at, b.expires_at) AS res_expires
            FROM req LEFT JOIN locked a ON a.id = req.rid
                     LEFT JOIN locked b ON req.rid IS NULL AND b.correlation_id = req.cid
        ), d AS (
          SELECT m.*, CASE
              WHEN m.res_id IS NULL THEN 'not_found'
              WHEN row_number() OVER (PARTITION BY m.res_id ORDER BY m.ord) > 1 THEN 'retry'
              WHEN m.bound IS NOT NULL AND NOT (m.res_engine = ANY (string_to_array(m.bound, ','))) THEN 'not_bound'
              WHEN m.old_status IN ('reserved', 'expired') THEN CASE WHEN m.kind = 'settle' THEN 'settled' ELSE 'voided' END
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
          INSERT INTO risk_event (at, day, engine, kind, outcome, correlation_id, reservation_id, amount, realized_loss, reason, principal)
          SELECT p_now, c.res_day, c.res_engine, c.kind, c.result, c.res_cid, c.res_id, c.res_amount,
                 CASE WHEN c.result = 'settled' THEN c.loss END, c.reason, c.prin
            FROM changed c ORDER BY c.ord
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
               e.exposure_used, e.open_risk_reserved, e.realized_loss, e.actions_count,
               g.exposure_used, g.open_risk_reserved, g.realized_loss, g.actions_count
          FROM d LEFT JOIN after e ON e.day = d.res_day AND e.engine = d.res_engine
                 LEFT JOIN after g ON g.day = d.res_day AND g.engine = 'GLOBAL'
         ORDER BY d.ord;
      END
      $fn$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION IF EXISTS risk_close_batch;
      DROP FUNCTION IF EXISTS risk_reserve_batch;
      DROP FUNCTION IF EXISTS risk_scope_json;
      DROP TABLE risk_event; DROP TABLE risk_reservation; DROP TABLE risk_ledger_day; DROP TABLE risk_policy;
    `);
  }
}
