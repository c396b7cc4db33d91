import { requestDigest } from '#platform';

/**
 * What a grant is bound to: SHA-256 (base64url) of the RFC 8785 canonical JSON of
 * `{kind, subject, payload}`. A lever that files a request and later consumes the grant computes
 * the same digest from the act it is about to perform: a changed act is a different digest and
 * the grant does not cover it.
 */
export function approvalPayloadDigest(kind: string, subject: string, payload: unknown): string {
  return requestDigest(kind, { subject, payload: payload ?? {} });
}
