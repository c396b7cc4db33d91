import type { RepeatableSql } from '#platform';
import { RISK_GUARD_REPEATABLE_SQL } from '#risk-guard';

/**
 * Every repeatable SQL file (a function's single source), applied in this order after the versioned
 * migrations whenever its text changes. Like ALL_MIGRATIONS, listed by hand (ESM cannot glob-load).
 */
export const ALL_REPEATABLE_SQL: readonly RepeatableSql[] = [...RISK_GUARD_REPEATABLE_SQL];
