import { GateInputError } from './input-error.js';
import { isObj } from './read.js';
import { compareBytes } from './strings.js';
import type { GateIntent } from './types.js';

/**
 * Warden's stricter checks, taken from later gait versions. Off by default: the gait-compatible
 * evaluation (gait at the seed commit e994fb43) produces none of their reason codes and refuses
 * nothing for them. On with `evaluateIntent(policy, intent, { strict: true })` or the CLI's
 * `--strict` (docs/gate.md, "Warden's strict checks"):
 *   - a destructive target (fs.delete, proc.exec, a delete/rm/drop/exec... operation, or a
 *     destructive hint) raises the verdict to require_approval (`destructive_apply_requires_approval`),
 *     dry_run in the plan phase (`plan_phase_non_destructive`);
 *   - fail_closed covering the risk class blocks a target whose endpoint class is unknown
 *     (`fail_closed_endpoint_class_unknown`);
 *   - args carrying what looks like a raw secret under a credential-like key are invalid input.
 */
export const STRICT_REASON_CODES = ['destructive_apply_requires_approval', 'plan_phase_non_destructive', 'fail_closed_endpoint_class_unknown'] as const;

export function assertNoRawCredentials(intent: GateIntent): void {
  rejectRawCredentialMaterial('args', intent.args);
}

const HEX64 = /^[a-f0-9]{64}$/;
const SAFE_KEY_SUFFIXES = ['_ref', '_refs', '_digest', '_digests', '_hash', '_issuer', '_source', '_type', '_ttl', '_ttl_seconds', '_id', '_ids', '_name', '_names', '_scope', '_scopes'];
const CREDENTIAL_KEY = /(token|secret|api[_-]?key|access[_-]?key|password|credential)/i;

/** Later gait refuses intents whose args carry raw secrets under credential-like keys. */
function rejectRawCredentialMaterial(at: string, v: unknown): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => rejectRawCredentialMaterial(`${at}[${i}]`, x));
    return;
  }
  if (!isObj(v)) return;
  for (const key of Object.keys(v).sort(compareBytes)) {
    const child = `${at}.${key}`;
    const value = v[key];
    if (keySuggestsCredential(key) && typeof value === 'string' && looksLikeCredential(value)) {
      throw new GateInputError(`${child} must not contain raw credential material; use credential references or digests instead`, child);
    }
    rejectRawCredentialMaterial(child, value);
  }
}

function keySuggestsCredential(key: string): boolean {
  const k = key.trim().toLowerCase();
  if (k === '' || SAFE_KEY_SUFFIXES.some((s) => k.endsWith(s))) return false;
  return CREDENTIAL_KEY.test(k);
}

function looksLikeCredential(value: string): boolean {
  const t = value.trim();
  if (t === '') return false;
  const lower = t.toLowerCase();
  if (['env:', 'stub:', 'cmd:', 'ref:', 'sha256:'].some((p) => lower.startsWith(p)) || HEX64.test(lower)) return false;
  if (['ghp_', 'gho_', 'github_pat_', 'sk-', 'AKIA', 'ASIA'].some((p) => t.startsWith(p))) return true;
  if (t.length < 16 || /[ \t\r\n]/.test(t)) return false;
  return /[a-zA-Z]/.test(t) && /[0-9]/.test(t);
}

