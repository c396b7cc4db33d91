// `warden approve`: gait's approval tokens (cmd/gait/approve.go at the seed e994fb43), and the
// key and token files `warden gate eval` reads to check them. Pure: no Nest, no database.
import { readFileSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KeyObject } from 'node:crypto';
import {
  decodeApprovalToken, EXIT, GateInputError, generateKeys, mintApprovalToken, parseGoDuration, parsePrivateKeyBase64, parsePublicKeyBase64,
  type ApprovalToken, type Ed25519Keys,
} from '#gate';
import { jsonLine, type CommandResult } from './output.js';
import { invalid } from './policy-commands.js';

export interface ApproveOptions {
  intentDigest?: string;
  policyDigest?: string;
  ttl?: string;
  scope?: string;
  approver?: string;
  reasonCode?: string;
  /** default approval_<token_id>.json, as gait */
  out?: string;
  /** dev (an ephemeral key) or prod (a key must be given); default prod when a key is given, else dev */
  keyMode?: string;
  privateKey?: string;
  privateKeyEnv?: string;
  json?: boolean;
  now?: Date;
  env?: Record<string, string | undefined>;
}

/** gait's dev-mode warning. */
export const DEV_KEY_WARNING = 'dev mode: ephemeral keypair generated; signatures will not verify across machines';

const csvList = (v: string | undefined) => (v ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');

function readKeyText(path: string | undefined, envName: string | undefined, env: Record<string, string | undefined>, what: string): string | null {
  if (path && envName) throw new GateInputError(`${what} source: set either path or env`);
  if (path) {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch (e) {
      throw new GateInputError(`read ${what}: ${(e as Error).message}`);
    }
  }
  if (envName) {
    const v = env[envName]?.trim();
    if (!v) throw new GateInputError(`${what} env not set: ${envName}`);
    return v;
  }
  return null;
}

/** gait's LoadSigningKey: dev generates a key (and refuses explicit ones), prod needs one. */
function signingKeys(o: ApproveOptions, env: Record<string, string | undefined>): { keys: Ed25519Keys; warnings: string[]; generated: boolean } {
  const hasKey = Boolean(o.privateKey || o.privateKeyEnv);
  // gait defaults to dev and refuses a key in dev; Warden defaults to prod when a key is given (docs/gate.md).
  const mode = (o.keyMode ?? (hasKey ? 'prod' : 'dev')).trim().toLowerCase();
  if (mode === 'dev') {
    if (hasKey) throw new GateInputError('dev mode does not accept explicit key sources');
    return { keys: generateKeys(), warnings: [DEV_KEY_WARNING], generated: true };
  }
  if (mode !== 'prod') throw new GateInputError(`unsupported key mode: "${o.keyMode}"`);
  const text = readKeyText(o.privateKey, o.privateKeyEnv, env, 'private key');
  if (text === null) throw new GateInputError('prod mode requires a private key source');
  return { keys: parsePrivateKeyBase64(text), warnings: [], generated: false };
}

/** Go's json.MarshalIndent(token, "", "  ") + "\n": the field order of gait's struct. */
export const tokenFileText = (t: ApprovalToken) => `${JSON.stringify(t, null, 2)}\n`;

/**
 * `warden approve --intent-digest D --policy-digest P --ttl 1h --scope tool:NAME --approver A
 * --reason-code R [--private-key K] [--out F] [--json]`: writes a signed `gait.gate.approval_token`.
 * Without a key (dev mode) the key is ephemeral: its public key is printed (`public_key`) so the
 * token can still be checked with `--approval-public-key`.
 */
export function approve(o: ApproveOptions): CommandResult {
  const env = o.env ?? process.env;
  let token: ApprovalToken;
  let path: string;
  let signed: ReturnType<typeof signingKeys>;
  try {
    const ttlMs = parseGoDuration(o.ttl ?? '');
    if (!(ttlMs > 0)) throw new GateInputError('invalid --ttl, expected positive duration');
    const scope = csvList(o.scope);
    if (scope.length === 0) throw new GateInputError('scope is required');
    signed = signingKeys(o, env);
    token = mintApprovalToken({
      intentDigest: o.intentDigest ?? '', policyDigest: o.policyDigest ?? '', approver: o.approver ?? '', reasonCode: o.reasonCode ?? '',
      scope, ttlMs, keys: signed.keys, now: o.now,
    });
    path = o.out?.trim() || `approval_${token.token_id}.json`;
    try {
      const dir = dirname(path);
      if (dir !== '.' && dir !== '') mkdirSync(dir, { recursive: true, mode: 0o750 });
      writeFileSync(path, tokenFileText(token), { mode: 0o600 });
      chmodSync(path, 0o600);
    } catch (e) {
      throw new GateInputError(`write approval token: ${(e as Error).message}`);
    }
  } catch (e) {
    return invalid(e, o.json, 'approve');
  }
  const expires = token.expires_at.replace(/\.\d+Z$/, 'Z');
  if (!o.json) return { exitCode: EXIT.ok, stdout: `approval token created: ${path}\n${signed.warnings.map((w) => `warning: ${w}\n`).join('')}` };
  return {
    exitCode: EXIT.ok,
    stdout: jsonLine([
      ['ok', true],
      ['token_id', token.token_id],
      ['token_path', path],
      ['expires_at', expires],
      ['reason_code', token.reason_code],
      ['scope', token.scope],
      ['key_id', token.signature?.key_id],
      // Warden's addition: the dev key's public half, the only way its tokens can be verified.
      ['public_key', signed.generated ? signed.keys.publicKeyBase64 : undefined],
      ['warnings', signed.warnings],
      ['description', 'signed approval token created'],
    ]),
  };
}

export interface ApprovalKeyOptions {
  approvalPublicKey?: string;
  approvalPublicKeyEnv?: string;
  approvalPrivateKey?: string;
  approvalPrivateKeyEnv?: string;
}

/** gait's LoadVerifyKey for `gate eval`: a public key, else the public half of a private key; none → null. */
export function verificationKey(o: ApprovalKeyOptions, env: Record<string, string | undefined>): KeyObject | null {
  const pub = readKeyText(o.approvalPublicKey, o.approvalPublicKeyEnv, env, 'public key');
  if (pub !== null) return parsePublicKeyBase64(pub);
  const priv = readKeyText(o.approvalPrivateKey, o.approvalPrivateKeyEnv, env, 'private key');
  return priv === null ? null : parsePrivateKeyBase64(priv).publicKey;
}

/** The token files, deduplicated and sorted as gait's gatherApprovalTokenPaths; unreadable → exit 6. */
export function readApprovalTokens(paths: readonly string[]) {
  const unique = [...new Set(paths.map((p) => p.trim()).filter((p) => p !== ''))].sort();
  return unique.map((p) => {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (e) {
      throw new GateInputError(`read approval token: ${(e as Error).message}`);
    }
    return decodeApprovalToken(text);
  });
}

