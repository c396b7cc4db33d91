import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Heimdall: per-domain gate policies, the sandbox trials and their exact per-day scorecard,
 * recommendations with the decision taken at creation, and the append-only decision events.
 * Ratios (confidence, thresholds) are exact `numeric` in [0, 1]; the scorecard keeps a
 * confidence sum, never a running mean.
 */
export class Heimdall1763700000400 implements MigrationInterface {
  name = 'Heimdall1763700000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE heimdall_policy (
        domain text PRIMARY KEY CHECK (domain ~ '^[A-Z0-9_]{1,32}$'),
        min_confidence numeric NOT NULL CHECK (min_confidence >= 0 AND min_confidence <= 1),
        min_trials integer NOT NULL CHECK (min_trials >= 0),
        min_success_rate numeric NOT NULL CHECK (min_success_rate >= 0 AND min_success_rate <= 1),
        prod_use_enabled boolean NOT NULL DEFAULT false,
        window_days integer NOT NULL DEFAULT 1 CHECK (window_days BETWEEN 1 AND 366),
        updated_by text NOT NULL DEFAULT 'system',
        updated_at timestamptz NOT NULL DEFAULT now(),
        version bigint NOT NULL DEFAULT 1
      );

      CREATE TABLE heimdall_recommendation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigserial NOT NULL,
        domain text NOT NULL REFERENCES heimdall_policy (domain),
        confidence numeric NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
        payload jsonb,
        correlation_id text,
        request_digest text NOT NULL,
        prod_eligible boolean NOT NULL,
        gate_reason text NOT NULL,
        reason_codes text[] NOT NULL,
        gates jsonb NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE UNIQUE INDEX ux_heimdall_recommendation_seq ON heimdall_recommendation (seq);
      CREATE UNIQUE INDEX ux_heimdall_recommendation_correlation ON heimdall_recommendation (correlation_id) WHERE correlation_id IS NOT NULL;
      CREATE INDEX ix_heimdall_recommendation_domain_seq ON heimdall_recommendation (domain, seq DESC);
      CREATE TRIGGER heimdall_recommendation_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON heimdall_recommendation
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();

      CREATE TABLE heimdall_trial (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        day date NOT NULL,
        domain text NOT NULL REFERENCES heimdall_policy (domain),
        success boolean NOT NULL,
        confidence numeric NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
        recommendation_id uuid REFERENCES heimdall_recommendation (id),
        correlation_id text,
        request_digest text NOT NULL,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL
      );
      CREATE UNIQUE INDEX ux_heimdall_trial_correlation ON heimdall_trial (correlation_id) WHERE correlation_id IS NOT NULL;
      CREATE INDEX ix_heimdall_trial_domain_day ON heimdall_trial (domain, day);
      CREATE INDEX ix_heimdall_trial_recommendation ON heimdall_trial (recommendation_id) WHERE recommendation_id IS NOT NULL;
      CREATE TRIGGER heimdall_trial_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON heimdall_trial
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();

      CREATE TABLE heimdall_scorecard_day (
        day date NOT NULL,
        domain text NOT NULL REFERENCES heimdall_policy (domain),
        trials bigint NOT NULL DEFAULT 0 CHECK (trials >= 0),
        successes bigint NOT NULL DEFAULT 0 CHECK (successes >= 0 AND successes <= trials),
        confidence_sum numeric NOT NULL DEFAULT 0 CHECK (confidence_sum >= 0 AND confidence_sum <= trials),
        updated_at timestamptz NOT NULL,
        CONSTRAINT pk_heimdall_scorecard_day PRIMARY KEY (day, domain)
      );
      CREATE INDEX ix_heimdall_scorecard_day_domain_day ON heimdall_scorecard_day (domain, day);

      CREATE TABLE heimdall_event (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        day date NOT NULL,
        kind text NOT NULL,
        domain text NOT NULL,
        recommendation_id uuid,
        outcome text,
        principal text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX ix_heimdall_event_domain_id ON heimdall_event (domain, id);
      CREATE INDEX ix_heimdall_event_recommendation ON heimdall_event (recommendation_id, id) WHERE recommendation_id IS NOT NULL;
      CREATE UNIQUE INDEX ux_heimdall_event_scorecard_closed ON heimdall_event (domain, day) WHERE kind = 'scorecard.closed';
      CREATE TRIGGER heimdall_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON heimdall_event
        FOR EACH STATEMENT EXECUTE FUNCTION warden_reject_mutation();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE heimdall_event;
      DROP TABLE heimdall_scorecard_day;
      DROP TABLE heimdall_trial;
      DROP TABLE heimdall_recommendation;
      DROP TABLE heimdall_policy;
    `);
  }
}
