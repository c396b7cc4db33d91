import { HEIMDALL_SEEDS } from '#heimdall';
import type { Seed } from '#platform';
import { REGRESSION_TRIPWIRE_SEEDS } from '#regression-tripwire';
import { RISK_GUARD_SEEDS } from '#risk-guard';

/**
 * Idempotent reference data, run at every start after the migrations. Each lever owns its seed; the
 * apps hand this list to `PlatformModule.forRoot` (the platform imports no lever).
 */
export const ALL_SEEDS: readonly Seed[] = [...RISK_GUARD_SEEDS, ...HEIMDALL_SEEDS, ...REGRESSION_TRIPWIRE_SEEDS];
