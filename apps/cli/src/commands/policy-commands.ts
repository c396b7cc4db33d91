// `warden policy test|validate`: pure, offline, no Nest and no database (loads in milliseconds).
import { readFileSync } from 'node:fs';
import { EXIT, evaluateIntent, exitCodeFor, GateInputError, parseIntentJson, parsePolicyYaml, policyDigestOf, type GateEvaluation, type GateIntent, type GatePolicy } from '#gate';
import { csv, jsonLine, type CommandResult } from './output.js';

export interface JsonOption {
  json?: boolean;
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
export const loadIntent = (path: string): GateIntent => load(path, 'intent', parseIntentJson);

/** Invalid input is exit 6 with `{ok:false,error}`; anything else is a bug and propagates. */
export function invalid(e: unknown, json: boolean | undefined, label: string): CommandResult {
  if (!(e instanceof GateInputError)) throw e;
  return { exitCode: EXIT.invalid, stdout: json ? jsonLine([['ok', false], ['error', e.message]]) : `${label} error: ${e.message}\n` };
}

const summary = (e: GateEvaluation) => `policy test verdict=${e.verdict} reasons=${csv(e.reason_codes)} violations=${csv(e.violations)}`;

/** `warden policy test POLICY INTENT [--json]`: gait's `policy test`, exit 0/3/4 by verdict, 6 invalid. */
export function policyTest(policyPath: string, intentPath: string, opts: JsonOption = {}): CommandResult {
  let policy: GatePolicy;
  let intent: GateIntent;
  let result: GateEvaluation;
  try {
    policy = loadPolicy(policyPath);
    intent = loadIntent(intentPath);
    result = evaluateIntent(policy, intent);
  } catch (e) {
    return invalid(e, opts.json, 'policy test');
  }
  const exitCode = exitCodeFor(result.verdict);
  if (!opts.json) return { exitCode, stdout: `${summary(result)}\n` };
  return {
    exitCode,
    stdout: jsonLine([
      ['ok', true],
      ['schema_id', 'gait.policytest.result'],
      ['schema_version', '1.0.0'],
      ['created_at', intent.created_at],
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
  if (!opts.json) return { exitCode: EXIT.ok, stdout: `policy validate ok: rules=${policy.rules.length} default_verdict=${policy.default_verdict} policy_digest=${digest}\n` };
  return {
    exitCode: EXIT.ok,
    stdout: jsonLine([
      ['ok', true],
      ['schema_id', policy.schema_id],
      ['schema_version', policy.schema_version],
      ['default_verdict', policy.default_verdict],
      ['rule_count', policy.rules.length],
      ['policy_digest', digest],
    ], ['ok', 'rule_count']),
  };
}
