import fc from 'fast-check';
import { BACKOFF_CAP_MS, backoffMs, destinationKey, SIGNATURE_TOLERANCE_SECONDS, signWebhookBody, verifyWebhookSignature } from './webhook.js';

describe('webhook signature', () => {
  it('is the hex HMAC-SHA256 of "<timestamp>.<raw body>", prefixed sha256=', () => {
    // printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(signWebhookBody('secret', 1700000000, '{"a":1}')).toBe('sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686');
  });

  it('verifies its own signature and refuses any change of body, secret, timestamp or header', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.string(), fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }), (secret, body, other, ts) => {
        const sig = signWebhookBody(secret, ts, body);
        const at = { nowSeconds: ts };
        expect(verifyWebhookSignature(secret, body, { signature: sig, timestamp: String(ts) }, at)).toBe(true);
        if (other !== body) expect(verifyWebhookSignature(secret, other, { signature: sig, timestamp: String(ts) }, at)).toBe(false);
        expect(verifyWebhookSignature(secret + 'x', body, { signature: sig, timestamp: String(ts) }, at)).toBe(false);
        expect(verifyWebhookSignature(secret, body, { signature: sig, timestamp: String(ts + 1) }, at)).toBe(false);
        expect(verifyWebhookSignature(secret, body, { signature: undefined, timestamp: String(ts) }, at)).toBe(false);
        expect(verifyWebhookSignature(secret, body, { signature: sig, timestamp: undefined }, at)).toBe(false);
      }),
    );
  });

  it('refuses a replay: a correctly signed request whose timestamp is outside the window', () => {
    const ts = 1700000000;
    const sig = signWebhookBody('secret', ts, '{}');
    const headers = { signature: sig, timestamp: String(ts) };
    expect(verifyWebhookSignature('secret', '{}', headers, { nowSeconds: ts + SIGNATURE_TOLERANCE_SECONDS })).toBe(true);
    expect(verifyWebhookSignature('secret', '{}', headers, { nowSeconds: ts + SIGNATURE_TOLERANCE_SECONDS + 1 })).toBe(false);
    expect(verifyWebhookSignature('secret', '{}', headers, { nowSeconds: ts - SIGNATURE_TOLERANCE_SECONDS - 1 })).toBe(false);
    // The old scheme (HMAC of the body alone) no longer verifies.
    expect(verifyWebhookSignature('secret', '{"a":1}', { signature: 'sha256=aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494', timestamp: String(ts) }, { nowSeconds: ts })).toBe(false);
  });
});

describe('destination key', () => {
  it('is stable, short, and does not contain the URL', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';
    expect(destinationKey(url)).toMatch(/^[0-9a-f]{16}$/);
    expect(destinationKey(url)).toBe(destinationKey(url));
    expect(destinationKey(url)).not.toBe(destinationKey(url + 'x'));
  });
});

describe('backoff', () => {
  it('doubles from 1 s and never exceeds the cap', () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([1000, 2000, 4000, 8000]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (n) => {
        expect(backoffMs(n)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
        expect(backoffMs(n + 1)).toBeGreaterThanOrEqual(backoffMs(n));
      }),
    );
  });
});
