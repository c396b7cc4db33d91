import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import type { GateIntent, GatePolicy, IntentTarget, PolicyRule } from './types.js';

/** SHA-256 hex of the RFC 8785 canonical JSON of `value` (gait's DigestJCS). */
export function digestJcs(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('digestJcs: value is not JSON');
  return createHash('sha256').update(text).digest('hex');
}

/**
 * gait digests a policy through a payload keyed by its Go field names (policyDigestPayload), with
 * optional parts present only when set. Reproduced key for key so the digest equals gait's.
 */
export function policyDigestPayload(policy: GatePolicy): Record<string, unknown> {
  return {
    SchemaID: policy.schema_id,
    SchemaVersion: policy.schema_version,
    DefaultVerdict: policy.default_verdict,
    FailClosed: {
      Enabled: policy.fail_closed.enabled,
      RiskClasses: policy.fail_closed.risk_classes,
      RequiredFields: policy.fail_closed.required_fields,
    },
    Rules: policy.rules.map(rulePayload),
  };
}

function rulePayload(rule: PolicyRule): Record<string, unknown> {
  const m = rule.match;
  const match: Record<string, unknown> = {
    ToolNames: m.tool_names,
    RiskClasses: m.risk_classes,
    TargetKinds: m.target_kinds,
    TargetValues: m.target_values,
    ProvenanceSources: m.provenance_sources,
    Identities: m.identities,
    WorkspacePrefixes: m.workspace_prefixes,
  };
  const optional: [string, string[]][] = [
    ['EndpointClasses', m.endpoint_classes],
    ['DataClasses', m.data_classes],
    ['DestinationKinds', m.destination_kinds],
    ['DestinationValues', m.destination_values],
    ['DestinationOps', m.destination_operations],
  ];
  for (const [key, values] of optional) if (values.length > 0) match[key] = values;
  const out: Record<string, unknown> = {
    Name: rule.name,
    Priority: rule.priority,
    Effect: rule.effect,
    Match: match,
    ReasonCodes: rule.reason_codes,
    Violations: rule.violations,
  };
  if (rule.min_approvals > 0) out.MinApprovals = rule.min_approvals;
  if (rule.require_distinct_approvers) out.RequireDistinctApprovers = true;
  if (rule.require_broker_credential) out.RequireBrokerCredential = true;
  if (rule.broker_reference !== '') out.BrokerReference = rule.broker_reference;
  if (rule.broker_scopes.length > 0) out.BrokerScopes = rule.broker_scopes;
  if (rule.rate_limit.requests > 0) out.RateLimit = { Requests: rule.rate_limit.requests, Window: rule.rate_limit.window, Scope: rule.rate_limit.scope };
  const d = rule.dataflow;
  if (d.enabled) {
    const df: Record<string, unknown> = { Enabled: true, TaintedSources: d.tainted_sources, Action: d.action, ReasonCode: d.reason_code, Violation: d.violation };
    if (d.destination_kinds.length > 0) df.DestinationKinds = d.destination_kinds;
    if (d.destination_values.length > 0) df.DestinationValues = d.destination_values;
    if (d.destination_operations.length > 0) df.DestinationOperations = d.destination_operations;
    out.Dataflow = df;
  }
  return out;
}

export const policyDigest = (policy: GatePolicy): string => digestJcs(policyDigestPayload(policy));

/** gait's seed IntentTarget as Go's json.Marshal writes it: kind, value, and operation/sensitivity when set. */
function targetPayload(t: IntentTarget): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: t.kind, value: t.value };
  if (t.operation !== '') out.operation = t.operation;
  if (t.sensitivity !== '') out.sensitivity = t.sensitivity;
  return out;
}

/**
 * gait's normalizedIntent JSON at the seed (e994fb43): exactly tool_name, args, targets (always),
 * arg_provenance (omitempty), context {identity, workspace, risk_class, session_id?, request_id?}.
 * Nothing Warden infers (endpoint class, domain, destructive) and no later context field (phase,
 * ids, context evidence) is digested, so the digest equals gait's byte for byte.
 */
export function intentDigestPayload(intent: GateIntent): Record<string, unknown> {
  const c = intent.context;
  const context: Record<string, unknown> = { identity: c.identity, workspace: c.workspace, risk_class: c.risk_class };
  if (c.session_id !== '') context.session_id = c.session_id;
  if (c.request_id !== '') context.request_id = c.request_id;
  const out: Record<string, unknown> = { tool_name: intent.tool_name, args: intent.args, targets: intent.targets.map(targetPayload), context };
  if (intent.arg_provenance.length > 0) {
    out.arg_provenance = intent.arg_provenance.map((p) => {
      const e: Record<string, unknown> = { arg_path: p.arg_path, source: p.source };
      if (p.source_ref !== '') e.source_ref = p.source_ref;
      if (p.integrity_digest !== '') e.integrity_digest = p.integrity_digest;
      return e;
    });
  }
  return out;
}

export const intentDigest = (intent: GateIntent): string => digestJcs(intentDigestPayload(intent));

/** gait's args_digest: the digest of the normalised args alone. */
export const argsDigest = (intent: GateIntent): string => digestJcs(intent.args);

/** gait's computeTraceID: the first 12 bytes (24 hex) of SHA-256("policy:intent:verdict"). */
export function traceId(policyDigestHex: string, intentDigestHex: string, verdict: string): string {
  return createHash('sha256').update(`${policyDigestHex}:${intentDigestHex}:${verdict}`).digest('hex').slice(0, 24);
}
