import { createHmac, timingSafeEqual } from 'node:crypto';

/** What every webhook receives, one notification per POST. */
export interface WebhookPayload {
  id: number;
  topic: string;
  subject: string;
  /** Slack-compatible one-line summary (a Slack incoming webhook shows it as the message). */
  text: string;
  body: Record<string, unknown>;
  created_at: string;
}

export const SIGNATURE_HEADER = 'x-warden-signature';

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the value of X-Warden-Signature. */
export function signWebhookBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Receiver side: constant-time comparison of a received signature with the expected one. */
export function verifyWebhookSignature(secret: string, rawBody: string, header: string | undefined | null): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWebhookBody(secret, rawBody));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 5 * 60_000;

/** Delay before the next attempt after `attempts` failed ones: 1 s, 2 s, 4 s ... capped at 5 min. */
export function backoffMs(attempts: number): number {
  const n = Math.max(1, attempts);
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(n - 1, 30));
}
