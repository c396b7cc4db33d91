import { randomUUID } from 'node:crypto';

/**
 * What a client's X-Request-Id may be to be kept: a correlation id, not a payload. Anything else
 * (5,000 characters, spaces, control or non-ASCII characters) is replaced by a fresh id instead of
 * being written into every log line and echoed back in a response header.
 */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the client's X-Request-Id when it is a plain id, else a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
}
