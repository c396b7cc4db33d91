import fc from 'fast-check';
import { BACKOFF_CAP_MS, backoffMs, signWebhookBody, verifyWebhookSignature } from './webhook.js';

describe('webhook signature', () => {
  it('is the hex HMAC-SHA256 of the raw body, prefixed sha256=', () => {
    // echo -n '{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(signWebhookBody('secret', '{"a":1}')).toBe('sha256=aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494');
  });

  it('verifies its own signature and refuses any change of body, secret or header', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.string(), (secret, body, other) => {
        const sig = signWebhookBody(secret, body);
        expect(verifyWebhookSignature(secret, body, sig)).toBe(true);
        if (other !== body) expect(verifyWebhookSignature(secret, other, sig)).toBe(false);
        expect(verifyWebhookSignature(secret + 'x', body, sig)).toBe(false);
        expect(verifyWebhookSignature(secret, body, undefined)).toBe(false);
      }),
    );
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
