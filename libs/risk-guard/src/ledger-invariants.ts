/**
 * The ledger's invariants as SQL, for tests, the benchmark and any operator who wants to verify a
 * database by hand. Each query returns the offending rows: an exact ledger returns none.
 */

/**
 * Every ledger row equals the sums over its day's reservations and recorded denials:
 *   exposure_used = sum(amount); open_risk_reserved = sum(amount) still reserved or expired;
 *   realized_loss = sum(realized_loss) of settled + sum of the day's adjustments; actions_count = count;
 *   denials_count = denial events;
 *   the GLOBAL row = the sums over every engine's rows of that day.
 */
export const LEDGER_MISMATCH_SQL = `
    WITH r AS (
      SELECT day, engine, sum(amount) AS exposure, coalesce(sum(amount) FILTER (WHERE status IN ('reserved', 'expired')), 0) AS open,
             coalesce(sum(realized_loss) FILTER (WHERE status = 'settled'), 0) AS loss, count(*) AS actions
        FROM risk_reservation GROUP BY day, engine
    ), d AS (
      SELECT day, engine, count(*) AS denials FROM risk_event WHERE kind = 'reserve' AND outcome = 'denied' GROUP BY day, engine
    ), a AS (
      SELECT day, engine, sum(realized_loss_delta) AS adjusted FROM risk_adjustment GROUP BY day, engine
    ), expected AS (
      SELECT day, engine, coalesce(r.exposure, 0) AS exposure, coalesce(r.open, 0) AS open,
             coalesce(r.loss, 0) + coalesce(a.adjusted, 0) AS loss, coalesce(r.actions, 0) AS actions, coalesce(d.denials, 0) AS denials
        FROM r FULL JOIN d USING (day, engine) FULL JOIN a USING (day, engine)
    ), expected_all AS (
      SELECT * FROM expected
      UNION ALL
      SELECT day, 'GLOBAL', sum(exposure), sum(open), sum(loss), sum(actions), sum(denials) FROM expected GROUP BY day
    )
    SELECT day::text, engine, l.exposure_used::text AS ledger_exposure, e.exposure::text AS expected_exposure,
           l.open_risk_reserved::text AS ledger_open, e.open::text AS expected_open, l.realized_loss::text AS ledger_loss,
           e.loss::text AS expected_loss, l.actions_count AS ledger_actions, e.actions AS expected_actions,
           l.denials_count AS ledger_denials, e.denials AS expected_denials
      FROM risk_ledger_day l FULL JOIN expected_all e USING (day, engine)
     WHERE coalesce(l.exposure_used, 0) <> coalesce(e.exposure, 0)
        OR coalesce(l.open_risk_reserved, 0) <> coalesce(e.open, 0)
        OR coalesce(l.realized_loss, 0) <> coalesce(e.loss, 0)
        OR coalesce(l.actions_count, 0) <> coalesce(e.actions, 0)
        OR coalesce(l.denials_count, 0) <> coalesce(e.denials, 0)`;

/** Ledger rows beyond an enforced cap of their engine's current policy (exposure, open risk, actions). */
export const CAP_VIOLATION_SQL = `
    SELECT l.day::text, l.engine, l.exposure_used::text, p.max_daily_exposure::text, l.open_risk_reserved::text, p.max_open_risk::text,
           l.actions_count, p.max_actions_per_day
      FROM risk_ledger_day l JOIN risk_policy p USING (engine)
     WHERE p.enforcement_mode = 'enforce'
       AND (l.exposure_used > p.max_daily_exposure OR l.open_risk_reserved > p.max_open_risk OR l.actions_count > p.max_actions_per_day)`;

/**
 * Reservations without their reserve event, or closed without their settle/void event: half-applied work.
 * (A refused settle, outcome 'refused', is on record without an effect: it is not a close.)
 */
export const HALF_APPLIED_SQL = `
    SELECT r.id, r.status FROM risk_reservation r
     WHERE NOT EXISTS (SELECT 1 FROM risk_event e WHERE e.kind = 'reserve' AND e.reservation_id = r.id AND e.correlation_id = r.correlation_id)
        OR (r.status = 'settled' AND NOT EXISTS (SELECT 1 FROM risk_event e WHERE e.kind = 'settle' AND e.outcome = 'settled' AND e.reservation_id = r.id))
        OR (r.status = 'voided' AND NOT EXISTS (SELECT 1 FROM risk_event e WHERE e.kind = 'void' AND e.outcome = 'voided' AND e.reservation_id = r.id))
        OR (r.status IN ('reserved', 'expired')
            AND EXISTS (SELECT 1 FROM risk_event e WHERE e.kind IN ('settle', 'void') AND e.outcome IN ('settled', 'voided') AND e.reservation_id = r.id))
    UNION ALL
    SELECT e.reservation_id, 'event without reservation' FROM risk_event e
     WHERE e.kind = 'reserve' AND e.outcome IN ('allowed', 'allowed_observed')
       AND NOT EXISTS (SELECT 1 FROM risk_reservation r WHERE r.id = e.reservation_id)`;
