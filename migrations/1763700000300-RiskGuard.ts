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
      CREATE INDEX ix_risk_reservation_open ON risk_reservation (engine, day) WHERE status IN ('reserved', 'expired');
      CREATE INDEX ix_risk_reservation_expiry ON risk_reservation (expires_at) WHERE status = 'reserved';

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
      CREATE INDEX ix_risk_event_day ON risk_event (day, id);
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
        k_eng text[];                                            -- scope keys: engines sorted, 'GLOBAL' last
        k_has boolean[]; k_enabled boolean[]; k_observe boolean[]; k_mode text[]; k_dreason text[];
        k_max_exp numeric[]; k_max_open numeric[]; k_max_loss numeric[]; k_max_act integer[]; k_ttl integer[];
        k_exp numeric[]; k_open numeric[]; k_loss numeric[]; k_act bigint[]; k_den bigint[]; k_dirty boolean[];
        g integer; e integer; i integer; c integer := 0; v integer := 0;
        x_cids text[]; x_digests text[]; x_outcomes text[]; x_res uuid[]; x_codes text[]; x_details jsonb[];
        x_day text[]; x_reserved timestamptz[]; x_expires timestamptz[]; x_status text[];
        r record; amt numeric; codes text[]; hard boolean; obs boolean; res_id uuid; det jsonb; exp_at timestamptz;
        rv_id uuid[] := '{}'; rv_cid text[] := '{}'; rv_eng text[] := '{}'; rv_amt numeric[] := '{}'; rv_reason text[] := '{}';
        rv_codes text[] := '{}'; rv_prin text[] := '{}'; rv_dig text[] := '{}'; rv_exp timestamptz[] := '{}';
        ev_cid text[] := '{}'; ev_eng text[] := '{}'; ev_out text[] := '{}'; ev_res uuid[] := '{}'; ev_amt numeric[] := '{}';
        ev_codes text[] := '{}'; ev_reason text[] := '{}'; ev_prin text[] := '{}'; ev_dig text[] := '{}'; ev_det jsonb[] := '{}';
      BEGIN
        IF n = 0 THEN RETURN; END IF;

        SELECT array_agg(s.engine ORDER BY s.engine) INTO k_eng
          FROM (SELECT DISTINCT u.engine FROM unnest(p_engines) AS u(engine) WHERE u.engine <> 'GLOBAL') s
          WHERE EXISTS (SELECT 1 FROM risk_policy p WHERE p.engine = s.engine);
        k_eng := coalesce(k_eng, '{}') || 'GLOBAL'::text;
        g := array_length(k_eng, 1);

        FOR r IN SELECT p.* FROM risk_policy p WHERE p.engine = ANY (k_eng) LOOP
          i := array_position(k_eng, r.engine);
          k_has[i] := true; k_enabled[i] := r.enabled; k_observe[i] := r.enforcement_mode = 'observe';
          k_mode[i] := r.enforcement_mode; k_dreason[i] := r.disabled_reason;
          k_max_exp[i] := r.max_daily_exposure; k_max_open[i] := r.max_open_risk; k_max_loss[i] := r.max_daily_loss;
          k_max_act[i] := r.max_actions_per_day; k_ttl[i] := r.reservation_ttl_seconds;
        END LOOP;

        -- Every involved row of the day is locked in the fixed order (engines sorted, GLOBAL last). A row
        -- still missing is created by the same ordered statement (an upsert locks existing rows and new
        -- ones in its input order), so no writer ever takes these locks in another order.
        SELECT count(*) INTO c FROM risk_ledger_day l WHERE l.day = p_day AND l.engine = ANY (k_eng);
        IF c = g THEN
          FOR r IN SELECT l.* FROM risk_ledger_day l WHERE l.day = p_day AND l.engine = ANY (k_eng)
                   ORDER BY l.engine = 'GLOBAL', l.engine FOR UPDATE LOOP
            i := array_position(k_eng, r.engine);
            k_exp[i] := r.exposure_used; k_open[i] := r.open_risk_reserved; k_loss[i] := r.realized_loss;
            k_act[i] := r.actions_count; k_den[i] := r.denials_count; k_dirty[i] := false;
          END LOOP;
        ELSE
          FOR r IN INSERT INTO risk_ledger_day AS l (day, engine)
                   SELECT p_day, u.engine FROM unnest(k_eng) AS u(engine) ORDER BY u.engine = 'GLOBAL', u.engine
                   ON CONFLICT ON CONSTRAINT pk_risk_ledger_day DO UPDATE SET denials_count = l.denials_count
                   RETURNING l.* LOOP
            i := array_position(k_eng, r.engine);
            k_exp[i] := r.exposure_used; k_open[i] := r.open_risk_reserved; k_loss[i] := r.realized_loss;
            k_act[i] := r.actions_count; k_den[i] := r.denials_count; k_dirty[i] := false;
          END LOOP;
        END IF;

        -- Keys already used: their recorded answer is returned (or 409 when the body differs).
        SELECT array_agg(ev.correlation_id), array_agg(ev.request_digest), array_agg(ev.outcome), array_agg(ev.reservation_id),
               array_agg(array_to_string(ev.reason_codes, ',')), array_agg(ev.details), array_agg(rs.day::text),
               array_agg(rs.reserved_at), array_agg(rs.expires_at), array_agg(rs.status)
          INTO x_cids, x_digests, x_outcomes, x_res, x_codes, x_details, x_day, x_reserved, x_expires, x_status
          FROM risk_event ev LEFT JOIN risk_reservation rs ON rs.id = ev.reservation_id
          WHERE ev.kind = 'reserve' AND ev.correlation_id = ANY (p_cids);

        FOR i IN 1..n LOOP
          ord := i; reservation_id := NULL; reason_codes := '{}'; details := NULL; day := NULL;
          reserved_at := NULL; expires_at := NULL; status := NULL; original_outcome := NULL;

          e := array_position(x_cids, p_cids[i]);
          IF e IS NOT NULL THEN
            outcome := CASE WHEN x_digests[e] = p_digests[i] THEN 'replay' ELSE 'conflict' END;
            original_outcome := x_outcomes[e]; reservation_id := x_res[e];
            reason_codes := coalesce(string_to_array(nullif(x_codes[e], ''), ','), '{}'); details := x_details[e];
            day := x_day[e]; reserved_at := x_reserved[e]; expires_at := x_expires[e]; status := x_status[e];
            RETURN NEXT; CONTINUE;
          END IF;

          amt := p_amounts[i];
          e := array_position(k_eng, p_engines[i]);
          IF e = g THEN e := NULL; END IF;
          codes := '{}'; hard := false;
          IF p_kill THEN codes := codes || 'kill_switch_engaged'::text; hard := true; END IF;

          IF k_has[g] IS NOT TRUE THEN
            codes := codes || 'no_global_policy'::text; hard := true;
          ELSE
            IF NOT k_enabled[g] THEN codes := codes || 'policy_disabled'::text; hard := true; END IF;
            obs := k_observe[g];
            IF k_max_exp[g] IS NOT NULL AND k_exp[g] + amt > k_max_exp[g] THEN
              codes := codes || 'global_exposure_cap'::text; IF NOT obs THEN hard := true; END IF; END IF;
            IF k_max_open[g] IS NOT NULL AND k_open[g] + amt > k_max_open[g] THEN
              codes := codes || 'global_open_risk_cap'::text; IF NOT obs THEN hard := true; END IF; END IF;
            IF k_max_loss[g] IS NOT NULL AND k_loss[g] >= k_max_loss[g] THEN
              codes := codes || 'global_loss_cap'::text; IF NOT obs THEN hard := true; END IF; END IF;
            IF k_max_act[g] IS NOT NULL AND k_act[g] + 1 > k_max_act[g] THEN
              codes := codes || 'global_action_cap'::text; IF NOT obs THEN hard := true; END IF; END IF;
          END IF;

          IF e IS NULL OR k_has[e] IS NOT TRUE THEN
            codes := codes || 'no_engine_policy'::text; hard := true;
          ELSE
            IF NOT k_enabled[e] AND NOT ('policy_disabled' = ANY (codes)) THEN codes := codes || 'policy_disabled'::text; hard := true; END IF;
            obs := k_observe[e];
            IF k_max_exp[e] IS NOT NULL AND k_exp[e] + amt > k_max_exp[e] THEN
              codes := codes || 'engine_exposure_cap'::text; IF NOT obs THEN hard := true; END IF; END IF;
            IF k_max_open[e] IS NOT NULL AND k_open[e] + amt > k_max_open[e] THEN
              codes := codes || 'engine_open_risk_cap'::text; IF NOT obs THEN hard := true; END IF; END IF;
            IF k_max_loss[e] IS NOT NULL AND k_loss[e] >= k_max_loss[e] THEN
              codes := codes || 'engine_loss_cap'::text; IF NOT obs THEN hard := true; END IF; END IF;
            IF k_max_act[e] IS NOT NULL AND k_act[e] + 1 > k_max_act[e] THEN
              codes := codes || 'engine_action_cap'::text; IF NOT obs THEN hard := true; END IF; END IF;
          END IF;
          -- A disabled policy (either scope) is never merely observed.
          IF 'policy_disabled' = ANY (codes) THEN hard := true; END IF;

          reason_codes := codes;
          IF hard OR cardinality(codes) > 0 THEN
            det := jsonb_build_object(
              'engine', p_engines[i], 'amount', trim_scale(amt)::text, 'day', p_day::text,
              'global', CASE WHEN k_has[g] THEN risk_scope_json('GLOBAL', k_enabled[g], k_mode[g], k_dreason[g],
                  k_max_exp[g], k_max_open[g], k_max_loss[g], k_max_act[g], k_exp[g], k_open[g], k_loss[g], k_act[g]) END,
              'engine_scope', CASE WHEN e IS NOT NULL AND k_has[e] THEN risk_scope_json(k_eng[e], k_enabled[e], k_mode[e], k_dreason[e],
                  k_max_exp[e], k_max_open[e], k_max_loss[e], k_max_act[e], k_exp[e], k_open[e], k_loss[e], k_act[e]) END);
          ELSE
            det := NULL;
          END IF;
          details := det;

          IF hard AND (e IS NULL OR k_has[e] IS NOT TRUE) THEN
            -- Unknown engine: denied without touching the ledger or consuming the key.
            outcome := 'unrecorded'; RETURN NEXT; CONTINUE;
          END IF;

          v := v + 1;
          ev_cid[v] := p_cids[i]; ev_eng[v] := p_engines[i]; ev_amt[v] := amt; ev_codes[v] := array_to_string(codes, ',');
          ev_reason[v] := p_reasons[i]; ev_prin[v] := p_principals[i]; ev_dig[v] := p_digests[i]; ev_det[v] := det;

          IF hard THEN
            outcome := 'denied';
            k_den[e] := k_den[e] + 1; k_dirty[e] := true;
            k_den[g] := k_den[g] + 1; k_dirty[g] := true;
            ev_out[v] := 'denied'; ev_res[v] := NULL;
            RETURN NEXT; CONTINUE;
          END IF;

          outcome := CASE WHEN cardinality(codes) > 0 THEN 'allowed_observed' ELSE 'allowed' END;
          res_id := gen_random_uuid();
          exp_at := p_now + make_interval(secs => k_ttl[e]);
          k_exp[e] := k_exp[e] + amt; k_open[e] := k_open[e] + amt; k_act[e] := k_act[e] + 1; k_dirty[e] := true;
          k_exp[g] := k_exp[g] + amt; k_open[g] := k_open[g] + amt; k_act[g] := k_act[g] + 1; k_dirty[g] := true;
          c := cardinality(rv_id) + 1;
          rv_id[c] := res_id; rv_cid[c] := p_cids[i]; rv_eng[c] := p_engines[i]; rv_amt[c] := amt; rv_reason[c] := p_reasons[i];
          rv_codes[c] := array_to_string(codes, ','); rv_prin[c] := p_principals[i]; rv_dig[c] := p_digests[i]; rv_exp[c] := exp_at;
          ev_out[v] := outcome; ev_res[v] := res_id;
          reservation_id := res_id; day := p_day::text; reserved_at := p_now; expires_at := exp_at; status := 'reserved';
          RETURN NEXT;
        END LOOP;

        IF cardinality(rv_id) > 0 THEN
          INSERT INTO risk_reservation (id, correlation_id, day, engine, amount, status, reason, observed_reason_codes,
                                        principal, request_digest, reserved_at, expires_at)
          SELECT u.id, u.cid, p_day, u.eng, u.amt, 'reserved', u.reason, coalesce(string_to_array(nullif(u.codes, ''), ','), '{}'),
                 u.prin, u.dig, p_now, u.exp
            FROM unnest(rv_id, rv_cid, rv_eng, rv_amt, rv_reason, rv_codes, rv_prin, rv_dig, rv_exp)
                 AS u(id, cid, eng, amt, reason, codes, prin, dig, exp);
        END IF;
        IF v > 0 THEN
          INSERT INTO risk_event (at, day, engine, kind, outcome, correlation_id, reservation_id, amount, reason_codes,
                                  reason, principal, request_digest, details)
          SELECT p_now, p_day, u.eng, 'reserve', u.out, u.cid, u.res, u.amt, coalesce(string_to_array(nullif(u.codes, ''), ','), '{}'),
                 u.reason, u.prin, u.dig, u.det
            FROM unnest(ev_cid, ev_eng, ev_out, ev_res, ev_amt, ev_codes, ev_reason, ev_prin, ev_dig, ev_det) WITH ORDINALITY
                 AS u(cid, eng, out, res, amt, codes, reason, prin, dig, det, o) ORDER BY u.o;
        END IF;
        UPDATE risk_ledger_day l
           SET exposure_used = u.exp, open_risk_reserved = u.open, actions_count = u.act, denials_count = u.den
          FROM unnest(k_eng, k_exp, k_open, k_act, k_den, k_dirty) AS u(engine, exp, open, act, den, dirty)
         WHERE l.day = p_day AND l.engine = u.engine AND u.dirty;
      END
      $fn$;
    `);

    /*
     * risk_close_batch: settles or voids reservations. Each request names its reservation by id or by
     * correlation_id. Open risk shrinks by the reserved amount and realized loss grows, on the
     * reservation's own day, for its engine row and the GLOBAL row. Outcomes: settled | voided |
     * replay (already closed the same way) | conflict (closed with other values) | not_open (settle of
     * a voided one or void of a settled one) | not_found | not_bound (the caller's token is bound to
     * other engines). Returns the reservation and, after the batch, its day's engine and GLOBAL rows.
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
        n integer := coalesce(array_length(p_kinds, 1), 0);
        r record; i integer; j integer; k integer; m integer := 0; v integer := 0; x text;
        t_id uuid[] := '{}'; t_cid text[] := '{}'; t_eng text[] := '{}'; t_day date[] := '{}'; t_amt numeric[] := '{}';
        t_status text[] := '{}'; t_loss numeric[] := '{}'; t_reserved timestamptz[] := '{}'; t_expires timestamptz[] := '{}';
        t_closed timestamptz[] := '{}'; t_by text[] := '{}'; t_creason text[] := '{}'; t_changed boolean[] := '{}';
        d_day date[] := '{}'; d_eng text[] := '{}'; d_open numeric[] := '{}'; d_loss numeric[] := '{}';
        l_day date[] := '{}'; l_eng text[] := '{}'; l_exp numeric[] := '{}'; l_open numeric[] := '{}'; l_loss numeric[] := '{}'; l_act bigint[] := '{}';
        q_idx integer[] := '{}'; q_out text[] := '{}';
        ev_kind text[] := '{}'; ev_idx integer[] := '{}'; ev_reason text[] := '{}'; ev_prin text[] := '{}';
      BEGIN
        IF n = 0 THEN RETURN; END IF;

        FOR r IN SELECT rs.* FROM risk_reservation rs WHERE rs.id = ANY (p_ids) OR rs.correlation_id = ANY (p_cids)
                 ORDER BY rs.id FOR UPDATE LOOP
          m := m + 1;
          t_id[m] := r.id; t_cid[m] := r.correlation_id; t_eng[m] := r.engine; t_day[m] := r.day; t_amt[m] := r.amount;
          t_status[m] := r.status; t_loss[m] := r.realized_loss; t_reserved[m] := r.reserved_at; t_expires[m] := r.expires_at;
          t_closed[m] := r.closed_at; t_by[m] := r.closed_by; t_creason[m] := r.close_reason; t_changed[m] := false;
        END LOOP;

        FOR i IN 1..n LOOP
          j := CASE WHEN p_ids[i] IS NOT NULL THEN array_position(t_id, p_ids[i]) ELSE array_position(t_cid, p_cids[i]) END;
          q_idx[i] := j;
          IF j IS NULL THEN q_out[i] := 'not_found'; CONTINUE; END IF;
          IF p_bound[i] IS NOT NULL AND NOT (t_eng[j] = ANY (string_to_array(p_bound[i], ','))) THEN q_out[i] := 'not_bound'; CONTINUE; END IF;
          IF t_status[j] IN ('reserved', 'expired') THEN
            IF p_kinds[i] = 'settle' THEN
              t_status[j] := 'settled'; t_loss[j] := p_losses[i]; q_out[i] := 'settled';
            ELSE
              t_status[j] := 'voided'; t_loss[j] := NULL; q_out[i] := 'voided';
            END IF;
            t_closed[j] := p_now; t_by[j] := p_principals[i]; t_creason[j] := p_reasons[i]; t_changed[j] := true;
            FOREACH x IN ARRAY ARRAY[t_eng[j], 'GLOBAL'] LOOP
              k := NULL;
              FOR z IN 1..coalesce(array_length(d_day, 1), 0) LOOP
                IF d_day[z] = t_day[j] AND d_eng[z] = x THEN k := z; EXIT; END IF;
              END LOOP;
              IF k IS NULL THEN
                k := coalesce(array_length(d_day, 1), 0) + 1;
                d_day[k] := t_day[j]; d_eng[k] := x; d_open[k] := 0; d_loss[k] := 0;
              END IF;
              d_open[k] := d_open[k] + t_amt[j];
              d_loss[k] := d_loss[k] + coalesce(t_loss[j], 0);
            END LOOP;
            v := v + 1; ev_kind[v] := p_kinds[i]; ev_idx[v] := j; ev_reason[v] := p_reasons[i]; ev_prin[v] := p_principals[i];
          ELSIF p_kinds[i] = 'settle' AND t_status[j] = 'settled' THEN
            q_out[i] := CASE WHEN t_loss[j] = p_losses[i] THEN 'replay' ELSE 'conflict' END;
          ELSIF p_kinds[i] = 'void' AND t_status[j] = 'voided' THEN
            q_out[i] := CASE WHEN t_creason[j] IS NOT DISTINCT FROM p_reasons[i] THEN 'replay' ELSE 'conflict' END;
          ELSE
            q_out[i] := 'not_open';
          END IF;
        END LOOP;

        IF v > 0 THEN
          -- Ledger rows in the global lock order: engine rows by (engine, day), then GLOBAL rows by day.
          PERFORM 1 FROM risk_ledger_day l JOIN unnest(d_day, d_eng) AS u(d, e) ON l.day = u.d AND l.engine = u.e
            ORDER BY l.engine = 'GLOBAL', l.engine, l.day FOR UPDATE OF l;
          UPDATE risk_ledger_day l
             SET open_risk_reserved = l.open_risk_reserved - u.open, realized_loss = l.realized_loss + u.loss
            FROM unnest(d_day, d_eng, d_open, d_loss) AS u(d, e, open, loss)
           WHERE l.day = u.d AND l.engine = u.e;
          UPDATE risk_reservation rs
             SET status = u.st, realized_loss = u.loss, closed_at = u.closed, closed_by = u.by, close_reason = u.reason
            FROM unnest(t_id, t_status, t_loss, t_closed, t_by, t_creason, t_changed) AS u(id, st, loss, closed, by, reason, changed)
           WHERE rs.id = u.id AND u.changed;
          INSERT INTO risk_event (at, day, engine, kind, outcome, correlation_id, reservation_id, amount, realized_loss, reason, principal)
          SELECT p_now, t_day[u.j], t_eng[u.j], u.kind, CASE WHEN u.kind = 'settle' THEN 'settled' ELSE 'voided' END,
                 t_cid[u.j], t_id[u.j], t_amt[u.j], CASE WHEN u.kind = 'settle' THEN t_loss[u.j] END, u.reason, u.prin
            FROM unnest(ev_kind, ev_idx, ev_reason, ev_prin) WITH ORDINALITY AS u(kind, j, reason, prin, o) ORDER BY u.o;
        END IF;

        IF m > 0 THEN
          FOR r IN SELECT l.* FROM risk_ledger_day l
                   WHERE (l.day, l.engine) IN (SELECT u.d, u.e FROM unnest(t_day || t_day, t_eng || array_fill('GLOBAL'::text, ARRAY[m])) AS u(d, e)) LOOP
            k := coalesce(array_length(l_day, 1), 0) + 1;
            l_day[k] := r.day; l_eng[k] := r.engine; l_exp[k] := r.exposure_used; l_open[k] := r.open_risk_reserved;
            l_loss[k] := r.realized_loss; l_act[k] := r.actions_count;
          END LOOP;
        END IF;

        FOR i IN 1..n LOOP
          ord := i; outcome := q_out[i]; j := q_idx[i];
          reservation_id := t_id[j]; correlation_id := t_cid[j]; engine := t_eng[j]; day := t_day[j]::text; amount := t_amt[j];
          status := t_status[j]; realized_loss := t_loss[j]; reserved_at := t_reserved[j]; expires_at := t_expires[j];
          closed_at := t_closed[j]; close_reason := t_creason[j];
          e_exposure := NULL; e_open := NULL; e_loss := NULL; e_actions := NULL;
          g_exposure := NULL; g_open := NULL; g_loss := NULL; g_actions := NULL;
          IF j IS NOT NULL THEN
            FOR z IN 1..coalesce(array_length(l_day, 1), 0) LOOP
              IF l_day[z] = t_day[j] AND l_eng[z] = t_eng[j] THEN
                e_exposure := l_exp[z]; e_open := l_open[z]; e_loss := l_loss[z]; e_actions := l_act[z];
              ELSIF l_day[z] = t_day[j] AND l_eng[z] = 'GLOBAL' THEN
                g_exposure := l_exp[z]; g_open := l_open[z]; g_loss := l_loss[z]; g_actions := l_act[z];
              END IF;
            END LOOP;
          END IF;
          RETURN NEXT;
        END LOOP;
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
