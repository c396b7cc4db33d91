// `warden policy test|validate`: pure, offline, no Nest and no database (loads in milliseconds).
import { readFileSync } from 'node:fs';
import { EXIT, evaluateIntent, exitCodeFor, GateInputError, normalizeIntent, parsePolicyYaml, policyDigestOf, type GateEvaluation, type GateIntent, type GatePolicy } from '#gate';
import { csv, jsonLine, type CommandResult } from './output.js';

export interface JsonOption {
  json?: boolean;
}

export interface EvalOption extends JsonOption {
  /** Warden's stricter checks (docs/gate.md "Warden's strict checks"); off = gait at the seed. */
  strict?: boolean;
}

/** Reads and parses a file; any failure (missing file, bad YAML/JSON, invalid document) is a GateInputError. */
export function load<T>(path: string, what: string, parse: (text: string) => T): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new GateInputError(`read ${what}: ${(e as Error).message}`);
  }
  return parse(text);
}

export const loadPolicy = (path: string): GatePolicy => load(path, 'policy', parsePolicyYaml);
/**
 * The intent as decoded JSON, not yet normalised: an intent that cannot be normalised is the
 * evaluator's to judge (a fail-closed block, exit 3) or refuse (exit 6). Unreadable JSON is exit 6.
 */
export const loadIntent = (path: string): unknown =>
  load(path, 'intent', (text) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new GateInputError(`parse intent json: ${(e as Error).message}`);
    }
  });

/** The normalised intent, or null when it cannot be normalised (then only a fail-closed block is possible). */
export function normalizedOrNull(raw: unknown): GateIntent | null {
  try {
    return normalizeIntent(raw);
  } catch (e) {
    if (e instanceof GateInputError) return null;
    throw e;
  }
}

/** Invalid input is exit 6 with `{ok:false,error}`; anything else is a bug and propagates. */
export function invalid(e: unknown, json: boolean | undefined, label: string): CommandResult {
  if (!(e instanceof GateInputError)) throw e;
  return { exitCode: EXIT.invalid, stdout: json ? jsonLine([['ok', false], ['error', e.message]]) : `${label} error: ${e.message}\n` };
}

export const warningLines = (p: GatePolicy) => (p.warnings ?? []).map((w) => `warning: ${w}\n`).join('');

const summary = (e: GateEvaluation) => `policy test verdict=${e.verdict} reasons=${csv(e.reason_codes)} violations=${csv(e.violations)}`;

/** `warden policy test POLICY INTENT [--json] [--strict]`: gait's `policy test`, exit 0/3/4 by verdict, 6 invalid. */
export function policyTest(policyPath: string, intentPath: string, opts: EvalOption = {}): CommandResult {
  let policy: GatePolicy;
  let intent: GateIntent | null;
  let result: GateEvaluation;
  try {
    policy = loadPolicy(policyPath);
    const raw = loadIntent(intentPath);
    intent = normalizedOrNull(raw);
    result = evaluateIntent(policy, intent ?? raw, { strict: opts.strict });
  } catch (e) {
    return invalid(e, opts.json, 'policy test');
  }
  const exitCode = exitCodeFor(result.verdict);
  if (!opts.json) return { exitCode, stdout: `${summary(result)}\n${warningLines(policy)}` };
  return {
    exitCode,
    stdout: jsonLine([
      ['ok', true],
      ['schema_id', 'gait.policytest.result'],
      ['schema_version', '1.0.0'],
      ['created_at', intent?.created_at ?? '1980-01-01T00:00:00Z'],
      ['policy_digest', result.policy_digest],
      ['intent_digest', result.intent_digest],
      ['verdict', result.verdict],
      ['reason_codes', result.reason_codes],
      ['violations', result.violations],
      ['summary', summary(result)],
      // Warden additions, in gait's own names (gait's gate eval output uses them).
      ['matched_rule', result.matched_rule],
      ['required_approvals', result.verdict === 'require_approval' ? result.min_approvals : 0],
      ['require_distinct_approvers', result.verdict === 'require_approval' && result.require_distinct_approvers],
      ['trace_id', result.trace_id],
      ['warnings', policy.warnings],
    ]),
  };
}

/** `warden policy validate POLICY [--json]`: 0 when the policy parses and validates, 6 otherwise. */
export function policyValidate(policyPath: string, opts: JsonOption = {}): CommandResult {
  let policy: GatePolicy;
  let digest: string;
  try {
    policy = loadPolicy(policyPath);
    digest = policyDigestOf(policy);
  } catch (e) {
    return invalid(e, opts.json, 'policy validate');
  }
  if (!opts.json) return { exitCode: EXIT.ok, stdout: `policy validate ok: rules=${policy.rules.length} default_verdict=${policy.default_verdict} policy_digest=${digest}\n${warningLines(policy)}` };
  return {
    exitCode: EXIT.ok,
    stdout: jsonLine([
      ['ok', true],
      ['schema_id', policy.schema_id],
      ['schema_version', policy.schema_version],
      ['default_verdict', policy.default_verdict],
      ['rule_count', policy.rules.length],
      ['policy_digest', digest],
      ['warnings', policy.warnings],
    ], ['ok', 'rule_count']),
  };
}
