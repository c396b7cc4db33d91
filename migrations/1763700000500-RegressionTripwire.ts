import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The regression tripwire: policies per domain+metric, the append-only KPI stream (keyed so that
 * "the newest window+baseline events" is a bounded index range scan whatever the history),
 * the kind each stream is locked to, the current state per policy and the append-only event log of
 * transitions and actions.
 */
export class RegressionTripwire1763700000500 implements MigrationInterface {
  name = 'RegressionTripwire1763700000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE regression_policy (
        domain text NOT NULL,
        metric text NOT NULL,
        enabled boolean NOT NULL DEFAULT false,
        window_events integer NOT NULL DEFAULT 50 CHECK (window_events BETWEEN 1 AND 10000),
        baseline_events integer NOT NULL DEFAULT 200 CHECK (baseline_events BETWEEN 1 AND 10000),
        min_events integer NOT NULL DEFAULT 50 CHECK (min_events >= 1 AND min_events <= window_events AND min_events <= baseline_events),
        max_drop_fraction double precision NOT NULL CHECK (max_drop_fraction > 0 AND max_drop_fraction <= 1),
        action text NOT NULL CHECK (action IN ('THROTTLE', 'KILL_SWITCH', 'ALERT')),
        target_engine text NOT NULL,
        alpha double precision CHECK (alpha IS NULL OR (alpha > 0 AND alpha < 1)),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL DEFAULT 'system',
        CONSTRAINT pk_regression_policy PRIMARY KEY (domain, metric)
      );

      CREATE TABLE kpi_stream (
        domain text NOT NULL,
        metric text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('success_rate', 'mean_value')),
        first_recorded_at timestamptz NOT NULL,
        CONSTRAINT pk_kpi_stream PRIMARY KEY (domain, metric)
      );

      -- The primary key is (domain, metric, id), not id alone: the stream's newest events are then a
      -- backward range scan that stops after LIMIT rows, and there is no id-only index the planner
      -- could walk backwards instead (filtering out other streams' newer rows, unbounded work).
      -- INCLUDE (success, value) makes it an index-only read.
      CREATE TABLE kpi_event (
        id bigserial NOT NULL,
        domain text NOT NULL,
        metric text NOT NULL,
        success boolean,
        value double precision,
        correlation_id text,
        recorded_at timestamptz NOT NULL,
        recorded_by text NOT NULL,
        CONSTRAINT ck_kpi_event_one_of CHECK ((success IS NULL) <> (value IS NULL)),
        CONSTRAINT ck_kpi_event_finite CHECK (value IS NULL OR value NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)),
        CONSTRAINT pk_kpi_event PRIMARY KEY (domain, metric, id) INCLUDE (success, value)
      );
      CREATE UNIQUE INDEX ux_kpi_event_correlation ON kpi_event (correlation_id) WHERE correlation_id IS NOT NULL;
      CREATE TRIGGER kpi_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON kpi_event
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();

      CREATE TABLE regression_state (
        domain text NOT NULL,
        metric text NOT NULL,
        status text NOT NULL DEFAULT 'never_evaluated'
          CHECK (status IN ('never_evaluated', 'ok', 'triggered', 'insufficient_data', 'disabled')),
        kind text CHECK (kind IN ('success_rate', 'mean_value')),
        reason text,
        detail text,
        baseline double precision,
        current double precision,
        drop double precision,
        p_value double precision,
        n_baseline integer NOT NULL DEFAULT 0,
        n_current integer NOT NULL DEFAULT 0,
        last_evaluated_at timestamptz,
        evaluations bigint NOT NULL DEFAULT 0,
        triggered_at timestamptz,
        trigger_count integer NOT NULL DEFAULT 0,
        action text CHECK (action IN ('THROTTLE', 'KILL_SWITCH', 'ALERT')),
        action_status text NOT NULL DEFAULT 'none' CHECK (action_status IN ('none', 'pending', 'done', 'failed')),
        action_claimed_at timestamptz,
        action_at timestamptz,
        action_detail text,
        reset_event_id bigint NOT NULL DEFAULT 0,
        reset_at timestamptz,
        reset_by text,
        reset_reason text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_regression_state PRIMARY KEY (domain, metric)
      );

      CREATE TABLE regression_event (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        domain text NOT NULL,
        metric text NOT NULL,
        type text NOT NULL CHECK (type IN ('status_changed', 'triggered', 'action_taken', 'action_failed', 'baseline_reset')),
        status text,
        action text,
        principal text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX ix_regression_event_stream ON regression_event (domain, metric, id DESC);
      CREATE INDEX ix_regression_event_at ON regression_event (at);
      CREATE TRIGGER regression_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON regression_event
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE regression_event; DROP TABLE regression_state; DROP TABLE kpi_event; DROP TABLE kpi_stream; DROP TABLE regression_policy;`);
  }
}
