import type { RepeatableSql } from '#platform';

/**
 * The single source of risk_scope_json, applied by the repeatable step when this text changes
 * (libs/platform/src/database/repeatable-sql.ts). History: 1763700000300 (created it; the migration
 * stays as it landed). risk_ledger_batch calls it for the denial details; risk-what-if.service.ts
 * builds the same shape in TypeScript for what-if answers.
 */
export const RISK_SCOPE_JSON_SQL: RepeatableSql = {
  name: 'risk_scope_json',
  sql: `
/* One scope's caps, usage and headroom as JSON with exact decimal strings (for denial details). */
CREATE OR REPLACE FUNCTION risk_scope_json(
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
`,
};
