import { WardenError } from './warden-error.js';

export interface ErrorExtra {
  reasonCodes?: string[];
  details?: unknown;
}

/**
 * Declares a lever's error codes and their HTTP statuses in one table, so a code can never be
 * thrown with two different statuses. `errors.raise('risk_denied', msg)` builds the WardenError the
 * global filter turns into the one error body.
 *
 *   export const RiskErrors = defineErrors({ risk_denied: 403, idempotency_conflict: 409 });
 *   throw RiskErrors.raise('risk_denied', 'over the cap', { reasonCodes });
 */
export function defineErrors<const T extends Record<string, number>>(table: T) {
  const codes = Object.fromEntries(Object.keys(table).map((k) => [k, k])) as { readonly [K in keyof T]: K };
  return {
    /** Every code, for `@ApiErrors` and tests. */
    codes,
    status: (code: keyof T & string): number => table[code],
    raise: (code: keyof T & string, message: string, extra: ErrorExtra = {}): WardenError => new WardenError(code, table[code], message, extra),
    /** The whole code -> status table. */
    table: table as Readonly<T>,
    /** The sub-table of the codes a route can answer, for `ApiErrors(Errors.pick('risk_denied', ...))`. */
    pick: <K extends keyof T & string>(...picked: K[]): Pick<T, K> => Object.fromEntries(picked.map((k) => [k, table[k]])) as Pick<T, K>,
  };
}
