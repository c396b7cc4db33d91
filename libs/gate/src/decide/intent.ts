import { GateInputError } from './input-error.js';
import { isObj, list, obj, str, type Obj } from './read.js';
import { compareBytes } from './strings.js';
import type { ArgProvenance, GateIntent, IntentContext, IntentTarget } from './types.js';

export const INTENT_SCHEMA_ID = 'gait.gate.intent_request';

const TARGET_KINDS = ['path', 'url', 'host', 'repo', 'bucket', 'table', 'queue', 'topic', 'other'];
const PROVENANCE_SOURCES = ['user', 'tool_output', 'external', 'system'];
const HEX64 = /^[a-f0-9]{64}$/;
/** Later-gait intent fields that change what is evaluated (several steps, a delegation chain): refused rather than ignored. */
const UNSUPPORTED_TOP = ['script', 'delegation', 'skill_provenance'];
/** Later-gait context fields Warden keeps (not digested: gait's seed drops them when decoding). */
const CONTEXT_EXTRA = ['agent_id', 'run_id', 'workflow_id', 'repo', 'environment', 'job_id', 'approval_ref'] as const;

/** Parses intent JSON text (gait decodes it leniently: unknown fields are ignored) and normalises it. */
export function parseIntentJson(text: string): GateIntent {
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch (e) {
    throw new GateInputError(`parse intent json: ${(e as Error).message}`);
  }
  return normalizeIntent(decoded);
}

const NORMALIZED = new WeakSet<object>();
/** True for objects returned by normalizeIntent (so evaluateIntent does not normalise twice). */
export const isNormalizedIntent = (v: unknown): v is GateIntent => typeof v === 'object' && v !== null && NORMALIZED.has(v);

/** Validates and normalises an intent exactly as gait's normalizeIntent at the seed commit (e994fb43). */
export function normalizeIntent(input: unknown): GateIntent {
  const out = normalizeIntentFields(input);
  NORMALIZED.add(out);
  return out;
}

function normalizeIntentFields(input: unknown): GateIntent {
  const o = obj(input, 'intent');
  for (const key of UNSUPPORTED_TOP) {
    if (o[key] !== undefined && o[key] !== null) throw new GateInputError(`${key} is a gait intent field Warden does not evaluate yet`, key);
  }
  const toolName = str(o.tool_name, 'tool_name').trim().toLowerCase();
  if (toolName === '') throw new GateInputError('tool_name is required', 'tool_name');
  const args = normalizeJsonValue(obj(o.args, 'args'), 'args') as Obj;
  return {
    tool_name: toolName,
    args,
    targets: normalizeTargets(toolName, list(o.targets, 'targets')),
    arg_provenance: normalizeProvenance(list(o.arg_provenance, 'arg_provenance')),
    context: normalizeContext(obj(o.context, 'context')),
    created_at: normalizeCreatedAt(str(o.created_at, 'created_at')),
  };
}

function normalizeTargets(toolName: string, input: unknown[]): IntentTarget[] {
  const seen = new Set<string>();
  const out: IntentTarget[] = [];
  input.forEach((raw, i) => {
    const at = `targets[${i}]`;
    const t = obj(raw, at);
    const kind = str(t.kind, `${at}.kind`).trim().toLowerCase();
    const value = str(t.value, `${at}.value`).trim();
    const operation = str(t.operation, `${at}.operation`).trim().toLowerCase();
    if (kind === '' || value === '') throw new GateInputError('targets require kind and value', at);
    if (!TARGET_KINDS.includes(kind)) throw new GateInputError(`unsupported target kind: ${kind}`, `${at}.kind`);
    // gait's seed decodes only kind, value, operation and sensitivity; the later fields below are
    // read leniently (a wrong type is ignored, as gait's decoder ignores fields it does not know)
    // for Warden's endpoint_classes matcher and opt-in strict checks. None is digested.
    const endpointClass = lenientStr(t.endpoint_class).toLowerCase() || inferEndpointClass(kind, operation, toolName);
    const destructiveHint = t.destructive_hint === true;
    const target: IntentTarget = {
      kind,
      value,
      operation,
      sensitivity: str(t.sensitivity, `${at}.sensitivity`).trim().toLowerCase(),
      endpoint_class: endpointClass,
      endpoint_domain: lenientStr(t.endpoint_domain).toLowerCase() || inferEndpointDomain(kind, value),
      destructive: t.destructive === true || destructiveHint || inferDestructive(endpointClass, operation),
      discovery_method: lenientStr(t.discovery_method).toLowerCase().replaceAll('-', '_').replaceAll(' ', '_') || 'unknown',
      read_only_hint: t.read_only_hint === true,
      destructive_hint: destructiveHint,
      idempotent_hint: t.idempotent_hint === true,
      open_world_hint: t.open_world_hint === true,
    };
    const key = targetKey(target).join('\0');
    if (seen.has(key)) return;
    seen.add(key);
    out.push(target);
  });
  return out.sort((a, b) => compareKeys(targetKey(a), targetKey(b)));
}

/**
 * gait's seed dedupe and sort key: kind, value, operation, sensitivity. Two targets equal on these
 * are one target in gait, whatever later fields they carry: the first one kept wins.
 */
const targetKey = (t: IntentTarget): string[] => [t.kind, t.value, t.operation, t.sensitivity];

const lenientStr = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareBytes(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

const hasToolHint = (toolName: string, ...hints: string[]) => {
  const base = toolName.trim().toLowerCase().split('/').filter(Boolean).pop() ?? '';
  return hints.some((h) => base.includes(h));
};

export function inferEndpointClass(kind: string, operation: string, toolName: string): string {
  switch (kind) {
    case 'path':
      if (['read', 'get', 'list', 'open', 'cat', 'head', 'download', 'stat'].includes(operation)) return 'fs.read';
      if (['write', 'append', 'put', 'create', 'update', 'save', 'copy', 'move', 'rename'].includes(operation)) return 'fs.write';
      if (['delete', 'remove', 'rm', 'unlink', 'rmdir', 'drop', 'truncate'].includes(operation)) return 'fs.delete';
      if (hasToolHint(toolName, 'read', 'list', 'fetch', 'search')) return 'fs.read';
      if (hasToolHint(toolName, 'write', 'update', 'save', 'create')) return 'fs.write';
      if (hasToolHint(toolName, 'delete', 'remove', 'rm', 'drop')) return 'fs.delete';
      return 'other';
    case 'host':
    case 'url':
      return ['dns', 'resolve', 'lookup'].includes(operation) ? 'net.dns' : 'net.http';
    case 'other':
      if (['exec', 'spawn', 'run', 'shell', 'command'].includes(operation)) return 'proc.exec';
      return hasToolHint(toolName, 'exec', 'shell', 'command', 'spawn', 'run') ? 'proc.exec' : 'other';
    default:
      return 'other';
  }
}

function inferEndpointDomain(kind: string, value: string): string {
  if (kind === 'host') {
    let host = value.trim().replace(/^http:\/\//, '').replace(/^https:\/\//, '');
    host = host.split('/')[0].split(':')[0];
    return host.trim().toLowerCase();
  }
  if (kind === 'url') {
    try {
      return new URL(value.trim()).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    } catch {
      return '';
    }
  }
  return '';
}

const inferDestructive = (endpointClass: string, operation: string) =>
  endpointClass === 'fs.delete' || endpointClass === 'proc.exec' ||
  ['delete', 'remove', 'rm', 'unlink', 'rmdir', 'drop', 'truncate', 'exec', 'spawn'].includes(operation);

function normalizeProvenance(input: unknown[]): ArgProvenance[] {
  const seen = new Set<string>();
  const out: ArgProvenance[] = [];
  input.forEach((raw, i) => {
    const at = `arg_provenance[${i}]`;
    const p = obj(raw, at);
    const entry: ArgProvenance = {
      arg_path: str(p.arg_path, `${at}.arg_path`).trim(),
      source: str(p.source, `${at}.source`).trim().toLowerCase(),
      source_ref: str(p.source_ref, `${at}.source_ref`).trim(),
      integrity_digest: str(p.integrity_digest, `${at}.integrity_digest`).trim().toLowerCase(),
    };
    if (entry.arg_path === '' || entry.source === '') throw new GateInputError('arg provenance requires arg_path and source', at);
    if (!PROVENANCE_SOURCES.includes(entry.source)) throw new GateInputError(`unsupported provenance source: ${entry.source}`, `${at}.source`);
    if (entry.integrity_digest !== '' && !HEX64.test(entry.integrity_digest)) throw new GateInputError(`invalid provenance integrity_digest: ${entry.integrity_digest}`, `${at}.integrity_digest`);
    const key = [entry.arg_path, entry.source, entry.source_ref, entry.integrity_digest].join('\0');
    if (seen.has(key)) return;
    seen.add(key);
    out.push(entry);
  });
  const key = (e: ArgProvenance) => [e.arg_path, e.source, e.source_ref, e.integrity_digest];
  return out.sort((a, b) => compareKeys(key(a), key(b)));
}

/**
 * gait's seed normalizeContext: identity, workspace (backslashes as /) and risk_class required,
 * session_id and request_id kept; any other key is ignored, as gait's decoder ignores it. Warden
 * also keeps later-gait keys leniently (phase, ids, context evidence) for its opt-in strict checks.
 */
function normalizeContext(c: Obj): IntentContext {
  const identity = str(c.identity, 'context.identity').trim();
  const workspace = str(c.workspace, 'context.workspace').trim();
  const riskClass = str(c.risk_class, 'context.risk_class').trim().toLowerCase();
  if (identity === '') throw new GateInputError('context.identity is required', 'context.identity');
  if (workspace === '') throw new GateInputError('context.workspace is required', 'context.workspace');
  if (riskClass === '') throw new GateInputError('context.risk_class is required', 'context.risk_class');
  const extra = Object.fromEntries(CONTEXT_EXTRA.map((k) => [k, lenientStr(c[k])])) as Record<(typeof CONTEXT_EXTRA)[number], string>;
  const digest = lenientStr(c.context_set_digest).toLowerCase();
  return {
    identity,
    workspace: workspace.replaceAll('\\', '/'),
    risk_class: riskClass,
    phase: lenientStr(c.phase).toLowerCase() === 'plan' ? 'plan' : 'apply',
    ...extra,
    session_id: str(c.session_id, 'context.session_id').trim(),
    request_id: str(c.request_id, 'context.request_id').trim(),
    context_set_digest: HEX64.test(digest) ? digest : '',
    context_evidence_mode: lenientStr(c.context_evidence_mode).toLowerCase(),
  };
}

/** gait's normalizeJSONValue: strings and keys trimmed, empty keys refused. */
function normalizeJsonValue(v: unknown, at: string): unknown {
  if (typeof v === 'string') return v.trim();
  if (Array.isArray(v)) return v.map((x, i) => normalizeJsonValue(x, `${at}[${i}]`));
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      const key = k.trim();
      if (key === '') throw new GateInputError('args contains empty key', at);
      out[key] = normalizeJsonValue(x, `${at}.${key}`);
    }
    return out;
  }
  return v;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/** Go's time.Time JSON decoding (RFC 3339) and RFC3339Nano UTC formatting; absent → gait's 1980-01-01. */
function normalizeCreatedAt(value: string): string {
  if (value === '') return '1980-01-01T00:00:00Z';
  const m = RFC3339.exec(value);
  const ms = m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8].toUpperCase()}`) : NaN;
  if (!m || Number.isNaN(ms)) throw new GateInputError(`created_at must be an RFC 3339 timestamp: ${value}`, 'created_at');
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = (m[7] ?? '').replace(/0+$/, '');
  return `${base}${frac ? `.${frac}` : ''}Z`;
}
