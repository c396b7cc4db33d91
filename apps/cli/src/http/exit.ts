// Exit codes and errors of the HTTP commands (docs/cli.md, "Exit codes"). They extend the offline
// commands' (0 done, 3 refused, 4 pending, 6 invalid input) so a script reads both alike.

export const EXIT = {
  ok: 0,
  /** The server answered something unexpected (a 500, a body that is not Warden's). */
  failure: 1,
  /** No server configured, an unreadable config file, a malformed URL. */
  config: 2,
  /** The server refused the act: 403 with a lever's code, 409, 412. */
  refused: 3,
  /** Filed, not done: an approval must be decided first (202), or a request is still pending. */
  pending: 4,
  /** The server could not be reached, timed out, or answered 502/503/504. */
  unavailable: 5,
  /** A usage error or input the server rejected (400, 413). */
  invalid: 6,
  /** No token, or one the server does not accept (401), or a role too low for the act (403 forbidden). */
  unauthorized: 7,
  /** The id names nothing (404). */
  notFound: 8,
} as const;

/** A failed HTTP command: what to print (its `code` is the server's stable error code when there is one). */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    readonly code: string,
    message: string,
    readonly extra: { status?: number; reason_codes?: string[]; details?: unknown } = {},
  ) {
    super(message);
  }
}

/** Warden's error body: `{statusCode, error, message, reason_codes?, details?}`. */
interface ErrorBody {
  error?: unknown;
  message?: unknown;
  reason_codes?: unknown;
  details?: unknown;
}

/** The exit code for a non-2xx answer. */
export function exitCodeForStatus(status: number, code: string | undefined): number {
  if (status === 401) return EXIT.unauthorized;
  if (status === 403) return code === 'forbidden' ? EXIT.unauthorized : EXIT.refused;
  if (status === 404) return EXIT.notFound;
  if (status === 400 || status === 413 || status === 422) return EXIT.invalid;
  if (status === 409 || status === 412) return EXIT.refused;
  if (status === 502 || status === 503 || status === 504) return EXIT.unavailable;
  return EXIT.failure;
}

/** A CliError from a non-2xx answer, naming the server's code and message. */
export function errorFromAnswer(status: number, body: unknown, what: string): CliError {
  const b = (body && typeof body === 'object' ? body : {}) as ErrorBody;
  const code = typeof b.error === 'string' && /^[a-z][a-z0-9_]*$/.test(b.error) ? b.error : `http_${status}`;
  const raw = Array.isArray(b.message) ? b.message.join('; ') : typeof b.message === 'string' ? b.message : '';
  const message = `${what}: ${raw || `the server answered ${status}`}`;
  const reasons = Array.isArray(b.reason_codes) ? b.reason_codes.filter((r): r is string => typeof r === 'string') : undefined;
  return new CliError(exitCodeForStatus(status, code), code, message, { status, ...(reasons?.length ? { reason_codes: reasons } : {}), ...(b.details !== undefined ? { details: b.details } : {}) });
}
