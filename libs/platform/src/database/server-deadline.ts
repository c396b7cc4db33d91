/**
 * A statement parameter that GuardedClient replaces with the statement's own client deadline,
 * converted to the database server's clock (a timestamptz). Only for statements that check it
 * themselves and raise once clock_timestamp() has reached it, as their first and their very last
 * step (risk_ledger_batch): such a statement is sent with its Sync, in one write, because arriving
 * or finishing late rolls it back. The argument: beside GuardedClient, and docs/risk-guard.md
 * ("The deadline inside the turn").
 */
export const SERVER_DEADLINE: unique symbol = Symbol('warden.server_deadline');

/** How often a connection measures the server's clock against Node's again. */
export const CLOCK_RECHECK_MS = 5 * 60_000;

/**
 * The deadline on the server's clock: `clientDeadline - margin`, shifted by a lower bound of
 * (server clock - Node clock). A sample reads the server's clock c and is received at Node time b:
 * c was read no later than b, so the offset is at least c - b (minus 1 ms for Date.now()'s
 * truncation). With the lower bound, the server's check passes only at real times before
 * `clientDeadline - margin` by Node's clock, whatever the skew: a clock behind makes it stricter,
 * never looser (an error in the bound only makes statements abort early).
 */
export function serverDeadline(clientDeadlineMs: number, marginMs: number, offsetLowerBoundMs: number): Date {
  return new Date(clientDeadlineMs - marginMs + offsetLowerBoundMs);
}
