/** At most this much of a receiver's answer is read; the rest is never buffered (the socket is dropped). */
export const MAX_RESPONSE_BYTES = 4096;
/** How much of a failed answer's body goes into last_error. */
const ERROR_SNIPPET_CHARS = 200;

export type PostResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/**
 * One webhook POST, bounded in every direction: `timeoutMs` covers connect, headers and body;
 * redirects are not followed (a 3xx is a failure: a receiver must not steer Warden's POST, with
 * its signed body, to another address, e.g. one inside the control plane's network); at most
 * MAX_RESPONSE_BYTES of the answer are read, so an endless body holds neither memory nor the
 * dispatcher. Never throws.
 */
export async function postWebhook(url: string, rawBody: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
  try {
    const res = await fetch(url, { method: 'POST', headers, body: rawBody, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const body = await readCapped(res, MAX_RESPONSE_BYTES);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    const why = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
    const snippet = body.slice(0, ERROR_SNIPPET_CHARS).replace(/\s+/g, ' ').trim();
    return { ok: false, status: res.status, error: `HTTP ${res.status}${why}${snippet ? `: ${snippet}` : ''}` };
  } catch (err) {
    return { ok: false, status: null, error: err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err) };
  }
}

/** Reads up to `cap` bytes of the body, then cancels the stream (which closes the connection). */
async function readCapped(res: Response, cap: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
  try {
    while (size < cap) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        break;
      }
      chunks.push(next.value);
      size += next.value.byteLength;
    }
  } catch {
    // A body that breaks off after the status line: the status is what counts.
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, cap).toString('utf8');
}
