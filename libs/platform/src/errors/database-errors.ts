/**
 * Which errors mean "the database cannot be reached or did not answer in time" (503
 * governance_unavailable, logged as a warning), as opposed to a bug (500). TypeORM wraps the
 * driver's error (QueryFailedError.driverError); Node wraps connection errors (AggregateError, cause).
 */
const UNAVAILABLE_SQLSTATES = new Set([
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, recovering)
  '57P05', // idle_session_timeout
  '25P03', // idle_in_transaction_session_timeout
  '53300', // too_many_connections
  '08000', '08001', '08003', '08004', '08006', '08007', // connection_exception family
]);
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'WARDEN_DATABASE_UNAVAILABLE', 'WARDEN_QUERY_DEADLINE',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|is not queryable|timeout expired|Client was closed|Connection terminated due to connection timeout|Driver not Connected/i;

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATES.has(e.code) || UNAVAILABLE_NODE_CODES.has(e.code))) return true;
  if (e.driverError && isDatabaseUnavailable(e.driverError, depth + 1)) return true;
  if (e.cause && isDatabaseUnavailable(e.cause, depth + 1)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  // Only driver-level messages: a SQL error is recognised by its code above, never by its text.
  return typeof e.code !== 'string' && typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message);
}

/**
 * What of a database error may be logged: its code, message and query text, never the query's
 * parameters or the server's `detail` (both can carry secrets and personal data).
 */
export function describeError(err: unknown): Record<string, unknown> {
  if (!err || typeof err !== 'object') return { message: String(err) };
  const e = err as { name?: unknown; message?: unknown; code?: unknown; query?: unknown; driverError?: { code?: unknown; message?: unknown }; stack?: unknown };
  const out: Record<string, unknown> = { type: e.name, message: e.message };
  const code = e.code ?? e.driverError?.code;
  if (code !== undefined) out.code = code;
  if (typeof e.query === 'string') out.query = e.query;
  if (typeof e.stack === 'string') out.stack = e.stack;
  return out;
}

/** True when the failure is the ambiguous one: a COMMIT was sent and not acknowledged in time (it may still commit). */
export function commitOutcomeUnknown(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { commitOutcomeUnknown?: unknown; driverError?: unknown; cause?: unknown };
  return e.commitOutcomeUnknown === true || commitOutcomeUnknown(e.driverError, depth + 1) || commitOutcomeUnknown(e.cause, depth + 1);
}

/**
 * Logs a failure Warden fails closed on: a warning when it is the database being unreachable or
 * late (an outage is not a bug, docs/failure-modes.md), an error otherwise.
 */
export function logFailure(logger: { warn(message: string): void; error(message: string): void }, err: unknown, message: string): void {
  if (isDatabaseUnavailable(err)) logger.warn(message);
  else logger.error(message);
}
