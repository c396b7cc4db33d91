import type { Logger } from '@nestjs/common';
import { logFailure, type MetricsService, parseAmount, WardenError } from '#platform';
import { ENGINE_NAME, GLOBAL_ENGINE } from './risk-guard.constants.js';
import { RiskErrors } from './risk-guard.errors.js';
import { RISK_GUARD } from './risk-guard.lever.js';

export { ENGINE_NAME, GLOBAL_ENGINE };

/** An engine name as the ledger keys it (upper case); GLOBAL only where `allowGlobal`. Throws 400. */
export function engineName(input: unknown, allowGlobal = false): string {
  const name = typeof input === 'string' ? input.trim().toUpperCase() : '';
  if (!ENGINE_NAME.test(name)) {
    throw RiskErrors.raise('validation_failed', 'invalid engine: must match [A-Z0-9_]{1,32}', {
      details: { fields: [{ field: 'engine', problems: ['engine must match [A-Z0-9_]{1,32}'] }] },
    });
  }
  if (!allowGlobal && name === GLOBAL_ENGINE) {
    throw RiskErrors.raise('invalid_engine', 'GLOBAL is the shared scope, not an engine: reserve for a real engine');
  }
  return name;
}

/** A canonical amount (the platform's money rule); throws 400 naming `field`. */
export function amountOf(input: unknown, field: string, allowZero: boolean): string {
  const parsed = parseAmount(input, { allowZero });
  if (!parsed.ok) {
    throw RiskErrors.raise('validation_failed', `invalid ${field}: ${field} ${parsed.problem}`, {
      details: { fields: [{ field, problems: [`${field} ${parsed.problem}`] }] },
    });
  }
  return parsed.value;
}

/** Anything but an expected answer: new risk is refused (503 governance_unavailable), never allowed. */
export function failClosed(err: unknown, what: string, logger: Logger, metrics: MetricsService): unknown {
  if (err instanceof WardenError) return err;
  const message = err instanceof Error ? err.message : String(err);
  logFailure(logger, err, `risk ${what} failed, failing closed: ${message}`);
  metrics.decision(RISK_GUARD.name, 'unavailable');
  return RiskErrors.raise('governance_unavailable', `the risk ledger could not be reached (${what}): failing closed`, {
    reasonCodes: ['governance_unavailable'],
  });
}
