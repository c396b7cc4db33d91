import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { digestJcs } from './digest.js';
import { GateInputError } from './input-error.js';
import { isObj } from './read.js';
import { normalizeListLower } from './strings.js';

/**
 * gait's approval tokens (`gait.gate.approval_token` 1.0.0), as core/gate/approval.go and
 * core/sign define them at the seed commit e994fb43: an ed25519 signature over the SHA-256 of the
 * RFC 8785 JSON of the token without its signature. Pure: files are read and written by the CLI.
 */
export const APPROVAL_TOKEN_SCHEMA_ID = 'gait.gate.approval_token';
export const APPROVAL_TOKEN_SCHEMA_VERSION = '1.0.0';

/** gait's codes, in the order ValidateApprovalToken checks. */
export const APPROVAL_CODES = {
  invalid: 'approval_token_invalid',
  signatureMissing: 'approval_token_signature_missing',
  signatureInvalid: 'approval_token_signature_invalid',
  intentMismatch: 'approval_token_intent_mismatch',
  policyMismatch: 'approval_token_policy_mismatch',
  expired: 'approval_token_expired',
  scopeMismatch: 'approval_token_scope_mismatch',
} as const;
export type ApprovalCode = (typeof APPROVAL_CODES)[keyof typeof APPROVAL_CODES];

export interface TokenSignature {
  alg: string;
  key_id: string;
  sig: string;
  signed_digest?: string;
}

/** A token as gait writes it (Go struct field order). Times are Go RFC3339Nano text. */
export interface ApprovalToken {
  schema_id: string;
  schema_version: string;
  created_at: string;
  producer_version: string;
  token_id: string;
  approver_identity: string;
  reason_code: string;
  intent_digest: string;
  policy_digest: string;
  scope: string[];
  expires_at: string;
  signature?: TokenSignature;
}

// ---- keys: gait stores base64 of Go's 64-byte private key (seed || public) and of the 32-byte public key.

export interface Ed25519Keys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** base64 of the raw 32-byte public key (gait's public key file format). */
  publicKeyBase64: string;
}

const b64url = (b: Buffer) => b.toString('base64url');

export function parsePrivateKeyBase64(encoded: string): Ed25519Keys {
  const raw = decodeStdBase64(encoded.trim(), 'private key');
  if (raw.length !== 64) throw new GateInputError(`invalid private key length: ${raw.length}`);
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64url(raw.subarray(0, 32)), x: b64url(raw.subarray(32)) }, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyBase64: rawPublic(publicKey).toString('base64') };
}

export function parsePublicKeyBase64(encoded: string): KeyObject {
  const raw = decodeStdBase64(encoded.trim(), 'public key');
  if (raw.length !== 32) throw new GateInputError(`invalid public key length: ${raw.length}`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(raw) }, format: 'jwk' });
}

/** gait's dev mode: an ephemeral key pair (its signatures verify only against the public key printed with it). */
export function generateKeys(): Ed25519Keys & { privateKeyBase64: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const pub = rawPublic(publicKey);
  return { privateKey, publicKey, publicKeyBase64: pub.toString('base64'), privateKeyBase64: Buffer.concat([seed, pub]).toString('base64') };
}

const rawPublic = (k: KeyObject) => Buffer.from(k.export({ format: 'jwk' }).x!, 'base64url');

/** gait's KeyID: SHA-256 hex of the raw public key. */
export const keyId = (publicKey: KeyObject) => createHash('sha256').update(rawPublic(publicKey)).digest('hex');

function decodeStdBase64(s: string, what: string): Buffer {
  // Go's StdEncoding is strict: padded, standard alphabet.
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) throw new GateInputError(`decode ${what}: illegal base64 data`);
  return Buffer.from(s, 'base64');
}

// ---- time: Go's time.Time JSON (RFC 3339 in, RFC3339Nano out, the offset kept, Z for zero).

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

interface GoTime {
  text: string;
  ms: number;
}

function goTime(v: unknown, field: string): GoTime | null {
  if (v === undefined || v === null) return null; // Go's zero time: `... is required` below
  if (typeof v !== 'string') throw new GateInputError(`parse approval token: ${field} must be an RFC 3339 string`);
  const m = RFC3339.exec(v);
  const ms = m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ? `.${m[7].slice(0, 3)}` : ''}${m[8]}`) : NaN;
  if (!m || Number.isNaN(ms)) throw new GateInputError(`parse approval token: ${field} is not RFC 3339: ${v}`);
  const frac = (m[7] ?? '').replace(/0+$/, '');
  const zone = m[8] === '+00:00' || m[8] === '-00:00' ? 'Z' : m[8];
  if (v.startsWith('0001-01-01T00:00:00') && zone === 'Z' && frac === '') return null;
  return { text: `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${frac ? `.${frac}` : ''}${zone}`, ms };
}

/** Go's RFC3339Nano of a UTC instant given in milliseconds. */
const rfc3339NanoUtc = (ms: number) => new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z').replace(/\.Z$/, 'Z');

// ---- Go durations (time.ParseDuration), for --ttl.

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration (`1h`, `30m`, `1h30m`, `1.5h`); NaN when it is not one. */
export function parseGoDuration(text: string): number {
  const s = text.trim();
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (!m || s === '0') return s === '0' ? 0 : NaN;
  let total = 0;
  for (const part of s.replace(/^[+-]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(part[1]) * UNITS[part[2]];
  return m[1] === '-' ? -total : total;
}

// ---- minting and checking.

export interface MintOptions {
  intentDigest: string;
  policyDigest: string;
  approver: string;
  reasonCode: string;
  scope: string[];
  ttlMs: number;
  keys: Pick<Ed25519Keys, 'privateKey' | 'publicKey'>;
  now?: Date;
  producerVersion?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** gait's computeApprovalTokenID: 12 bytes of SHA-256("intent:policy:approver:reason:scope,csv:expires"). */
export function approvalTokenId(intentDigest: string, policyDigest: string, approver: string, reasonCode: string, scope: readonly string[], expiresAt: string): string {
  const raw = `${intentDigest}:${policyDigest}:${approver}:${reasonCode}:${scope.join(',')}:${expiresAt}`;
  return createHash('sha256').update(raw).digest('hex').slice(0, 24);
}

/** gait's MintApprovalToken (without the file): validates, fills, signs. */
export function mintApprovalToken(o: MintOptions): ApprovalToken {
  if (!(o.ttlMs > 0)) throw new GateInputError('ttl must be greater than 0');
  const intentDigest = o.intentDigest.trim().toLowerCase();
  if (!HEX64.test(intentDigest)) throw new GateInputError('intent_digest must be sha256 hex');
  const policyDigest = o.policyDigest.trim().toLowerCase();
  if (!HEX64.test(policyDigest)) throw new GateInputError('policy_digest must be sha256 hex');
  const approver = o.approver.trim();
  if (approver === '') throw new GateInputError('approver identity is required');
  const reasonCode = o.reasonCode.trim();
  if (reasonCode === '') throw new GateInputError('reason code is required');
  const scope = normalizeListLower(o.scope);
  if (scope.length === 0) throw new GateInputError('scope must include at least one value');
  const created = (o.now ?? new Date()).getTime();
  const expiresAt = rfc3339NanoUtc(created + o.ttlMs);
  const token: ApprovalToken = {
    schema_id: APPROVAL_TOKEN_SCHEMA_ID,
    schema_version: APPROVAL_TOKEN_SCHEMA_VERSION,
    created_at: rfc3339NanoUtc(created),
    producer_version: o.producerVersion?.trim() || '0.0.0-dev',
    token_id: approvalTokenId(intentDigest, policyDigest, approver, reasonCode, scope, expiresAt),
    approver_identity: approver,
    reason_code: reasonCode,
    intent_digest: intentDigest,
    policy_digest: policyDigest,
    scope,
    expires_at: expiresAt,
  };
  const digest = digestJcs(token);
  const sig = sign(null, Buffer.from(digest, 'hex'), o.keys.privateKey).toString('base64');
  return { ...token, signature: { alg: 'ed25519', key_id: keyId(o.keys.publicKey), sig, signed_digest: digest } };
}

/** A token file's JSON as Go decodes it into ApprovalToken: wrong types and bad times are unreadable (exit 6). */
export interface DecodedToken {
  fields: Omit<ApprovalToken, 'created_at' | 'expires_at' | 'signature'>;
  created: GoTime | null;
  expires: GoTime | null;
  signature: TokenSignature | null;
}

export function decodeApprovalToken(text: string): DecodedToken {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new GateInputError(`parse approval token: ${(e as Error).message}`);
  }
  if (!isObj(v)) throw new GateInputError('parse approval token: not a JSON object');
  const s = (k: string, o: Record<string, unknown> = v as Record<string, unknown>) => {
    const x = o[k];
    if (x === undefined || x === null) return '';
    if (typeof x !== 'string') throw new GateInputError(`parse approval token: ${k} must be a string`);
    return x;
  };
  const scopeRaw = v.scope;
  if (scopeRaw !== undefined && scopeRaw !== null && !(Array.isArray(scopeRaw) && scopeRaw.every((x) => typeof x === 'string'))) throw new GateInputError('parse approval token: scope must be a list of strings');
  let signature: TokenSignature | null = null;
  if (v.signature !== undefined && v.signature !== null) {
    if (!isObj(v.signature)) throw new GateInputError('parse approval token: signature must be an object');
    const sg = v.signature;
    signature = { alg: s('alg', sg), key_id: s('key_id', sg), sig: s('sig', sg), signed_digest: s('signed_digest', sg) };
  }
  return {
    fields: {
      schema_id: s('schema_id'), schema_version: s('schema_version'), producer_version: s('producer_version'), token_id: s('token_id'),
      approver_identity: s('approver_identity'), reason_code: s('reason_code'), intent_digest: s('intent_digest'), policy_digest: s('policy_digest'),
      scope: (scopeRaw as string[] | null | undefined) ?? [],
    },
    created: goTime(v.created_at, 'created_at'),
    expires: goTime(v.expires_at, 'expires_at'),
    signature,
  };
}

export interface ValidateOptions {
  expectedIntentDigest: string;
  expectedPolicyDigest: string;
  requiredScope: string[];
  now?: Date;
}

export type TokenCheck = { ok: true; token_id: string; approver: string } | { ok: false; code: ApprovalCode; message: string };

/** gait's ValidateApprovalToken, check for check and in its order. `publicKey` null: no verification key. */
export function validateApprovalToken(t: DecodedToken, publicKey: KeyObject | null, o: ValidateOptions): TokenCheck {
  const fail = (code: ApprovalCode, message: string): TokenCheck => ({ ok: false, code, message });
  const f = t.fields;
  const n = {
    schema_id: f.schema_id || APPROVAL_TOKEN_SCHEMA_ID,
    schema_version: f.schema_version || APPROVAL_TOKEN_SCHEMA_VERSION,
    token_id: f.token_id.trim(),
    approver_identity: f.approver_identity.trim(),
    reason_code: f.reason_code.trim(),
    intent_digest: f.intent_digest.trim().toLowerCase(),
    policy_digest: f.policy_digest.trim().toLowerCase(),
    scope: normalizeListLower(f.scope),
  };
  const invalid =
    n.schema_id !== APPROVAL_TOKEN_SCHEMA_ID ? `unsupported schema_id: ${n.schema_id}`
    : n.schema_version !== APPROVAL_TOKEN_SCHEMA_VERSION ? `unsupported schema_version: ${n.schema_version}`
    : n.token_id === '' ? 'token_id is required'
    : n.approver_identity === '' ? 'approver_identity is required'
    : n.reason_code === '' ? 'reason_code is required'
    : !HEX64.test(n.intent_digest) ? 'intent_digest must be sha256 hex'
    : !HEX64.test(n.policy_digest) ? 'policy_digest must be sha256 hex'
    : n.scope.length === 0 ? 'scope is required'
    : !t.created ? 'created_at is required'
    : !t.expires ? 'expires_at is required'
    : null;
  if (invalid) return fail(APPROVAL_CODES.invalid, invalid);
  if (!publicKey) return fail(APPROVAL_CODES.signatureInvalid, 'verification public key is required');
  const sig = t.signature;
  if (!sig) return fail(APPROVAL_CODES.signatureMissing, 'signature missing');
  // The signable token is the normalised one, re-marshalled as Go would (no signature field).
  const signable = { ...n, producer_version: f.producer_version, created_at: t.created!.text, expires_at: t.expires!.text };
  const digest = digestJcs(signable);
  const bad = signatureProblem(sig, digest, publicKey);
  if (bad) return fail(APPROVAL_CODES.signatureInvalid, bad);
  if (o.expectedIntentDigest.trim() !== '' && n.intent_digest !== o.expectedIntentDigest.trim().toLowerCase()) return fail(APPROVAL_CODES.intentMismatch, 'intent digest mismatch');
  if (o.expectedPolicyDigest.trim() !== '' && n.policy_digest !== o.expectedPolicyDigest.trim().toLowerCase()) return fail(APPROVAL_CODES.policyMismatch, 'policy digest mismatch');
  if (!((o.now ?? new Date()).getTime() < t.expires!.ms)) return fail(APPROVAL_CODES.expired, 'token expired');
  const required = normalizeListLower(o.requiredScope);
  if (required.length > 0 && !n.scope.includes('*') && !required.every((s) => n.scope.includes(s))) return fail(APPROVAL_CODES.scopeMismatch, 'scope mismatch');
  return { ok: true, token_id: n.token_id, approver: n.approver_identity };
}

/** core/sign VerifyJSON: the signed digest must be the token's, then the ed25519 signature over its 32 bytes. */
function signatureProblem(sig: TokenSignature, digest: string, publicKey: KeyObject): string | null {
  if (!sig.signed_digest) return 'missing signed_digest';
  if (sig.signed_digest !== digest) return 'signed_digest mismatch';
  if (sig.alg !== 'ed25519') return `unsupported alg: ${sig.alg}`;
  if (sig.key_id !== '' && sig.key_id !== keyId(publicKey)) return 'key id mismatch';
  let raw: Buffer;
  try {
    raw = decodeStdBase64(sig.sig, 'sig');
  } catch {
    return 'decode sig: illegal base64 data';
  }
  if (raw.length !== 64) return `invalid signature length: ${raw.length}`;
  return verify(null, Buffer.from(digest, 'hex'), publicKey, raw) ? null : 'signature verification failed';
}
