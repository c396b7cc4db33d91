import type { RepeatableSql } from '#platform';
import { RISK_LEDGER_BATCH_SQL } from './risk_ledger_batch.sql.js';
import { RISK_SCOPE_JSON_SQL } from './risk_scope_json.sql.js';

/**
 * The risk guard's SQL functions, each declared once here and applied by the repeatable step when its
 * text changes. Kept as TypeScript strings so the build (.ts -> dist) and jest carry them as they are.
 * risk_scope_json comes first: risk_ledger_batch calls it.
 */
export const RISK_GUARD_REPEATABLE_SQL: readonly RepeatableSql[] = [RISK_SCOPE_JSON_SQL, RISK_LEDGER_BATCH_SQL];
