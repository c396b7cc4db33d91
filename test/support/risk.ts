import { CAP_VIOLATION_SQL, HALF_APPLIED_SQL, LEDGER_MISMATCH_SQL } from '#risk-guard';

/** Risk-guard test helpers: the ledger invariants (shared with the benchmark), checked against the real database. */
type Sql = <T = any>(text: string, params?: unknown[]) => Promise<T[]>;

/** Ledger rows that differ from the sums over reservations and denials (empty when the ledger is exact). */
export const ledgerMismatches = (sql: Sql): Promise<any[]> => sql(LEDGER_MISMATCH_SQL);

/** Ledger rows beyond an enforced cap of their engine's current policy. */
export const capViolations = (sql: Sql): Promise<any[]> => sql(CAP_VIOLATION_SQL);

/** Reservations whose events are missing: work applied only in part. */
export const halfApplied = (sql: Sql): Promise<any[]> => sql(HALF_APPLIED_SQL);

let dayCounter = 0;
/** A UTC day no other test of this file uses (tests isolate GLOBAL usage by day). */
export function isolatedDay(base = Date.UTC(2031, 0, 1)): Date {
  dayCounter += 1;
  return new Date(base + dayCounter * 86_400_000 + 12 * 3_600_000);
}

let engineCounter = 0;
export function engineName(prefix = 'E'): string {
  engineCounter += 1;
  return `${prefix}_${process.pid % 10000}_${engineCounter}`.toUpperCase();
}
