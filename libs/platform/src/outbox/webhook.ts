import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What every webhook receives, one notification per POST. */
export interface WebhookPayload {
  /** The notification's id: the same at every destination and on every retry (deduplicate on it). */
  id: number;
  topic: string;
  subject: string;
  /** Slack-compatible one-line summary (a Slack incoming webhook shows it as the message). */
  text: string;
  body: Record<string, unknown>;
  created_at: string;
}

export const SIGNATURE_HEADER = 'x-warden-signature';
export const TIMESTAMP_HEADER = 'x-warden-timestamp';
/** How old a signed timestamp a receiver should accept (docs/approvals.md); the snippet there uses it. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, the value of X-Warden-Signature, with
 * `timestamp` (Unix seconds) sent as X-Warden-Timestamp. Signing the timestamp with the body (as
 * Stripe and Slack do) lets a receiver refuse a captured request replayed later.
 */
export function signWebhookBody(secret: string, timestamp: number | string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

export interface SignatureHeaders {
  signature: string | undefined | null;
  timestamp: string | undefined | null;
}

/**
 * Receiver side: the timestamp is a decimal Unix time within `toleranceSeconds` of `nowSeconds`,
 * and the signature matches it and the raw body (constant-time comparison).
 */
export function verifyWebhookSignature(
  secret: string,
  rawBody: string,
  headers: SignatureHeaders,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): boolean {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(signWebhookBody(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * The stored name of a destination: the first 16 hex digits of the URL's SHA-256. A webhook URL is
 * often itself a secret (a Slack incoming webhook's path is its credential), so the table keeps
 * this key and the API shows the URL only redacted, looked up in the current configuration.
 */
export function destinationKey(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 5 * 60_000;

/** Delay before the next attempt after `attempts` failed ones: 1 s, 2 s, 4 s ... capped at 5 min. */
export function backoffMs(attempts: number): number {
  const n = Math.max(1, attempts);
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(n - 1, 30));
}
