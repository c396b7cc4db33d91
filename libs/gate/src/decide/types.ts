import type { Verdict } from './strings.js';

/** A normalised `gait.gate.policy` document (the subset Warden evaluates; see docs/gate.md). */
export interface GatePolicy {
  schema_id: 'gait.gate.policy';
  schema_version: '1.0.0';
  default_verdict: Verdict;
  fail_closed: { enabled: boolean; risk_classes: string[]; required_fields: string[] };
  /** Sorted by priority ascending, then name: the evaluation order. */
  rules: PolicyRule[];
  /** Keys the parser ignored, as gait's seed does (`ignored unknown key rules[0].owner`). Not digested. */
  warnings?: string[];
}

export interface PolicyMatch {
  tool_names: string[];
  risk_classes: string[];
  identities: string[];
  workspace_prefixes: string[];
  target_kinds: string[];
  target_values: string[];
  endpoint_classes: string[];
  data_classes: string[];
  destination_kinds: string[];
  destination_values: string[];
  destination_operations: string[];
  provenance_sources: string[];
}

export interface RateLimit {
  requests: number;
  window: string;
  scope: string;
}

export interface Dataflow {
  enabled: boolean;
  tainted_sources: string[];
  destination_kinds: string[];
  destination_values: string[];
  destination_operations: string[];
  action: string;
  reason_code: string;
  violation: string;
}

export interface PolicyRule {
  name: string;
  priority: number;
  effect: Verdict;
  match: PolicyMatch;
  reason_codes: string[];
  violations: string[];
  min_approvals: number;
  require_distinct_approvers: boolean;
  require_broker_credential: boolean;
  broker_reference: string;
  broker_scopes: string[];
  rate_limit: RateLimit;
  dataflow: Dataflow;
}

export interface IntentTarget {
  kind: string;
  value: string;
  operation: string;
  sensitivity: string;
  endpoint_class: string;
  endpoint_domain: string;
  destructive: boolean;
  discovery_method: string;
  read_only_hint: boolean;
  destructive_hint: boolean;
  idempotent_hint: boolean;
  open_world_hint: boolean;
}

export interface ArgProvenance {
  arg_path: string;
  source: string;
  source_ref: string;
  integrity_digest: string;
}

/** Context fields Warden reads; optional ones are '' when absent (gait's omitempty). */
export interface IntentContext {
  identity: string;
  workspace: string;
  risk_class: string;
  phase: 'plan' | 'apply';
  agent_id: string;
  run_id: string;
  workflow_id: string;
  repo: string;
  environment: string;
  job_id: string;
  session_id: string;
  request_id: string;
  approval_ref: string;
  context_set_digest: string;
  context_evidence_mode: string;
}

/** A normalised `gait.gate.intent_request`. */
export interface GateIntent {
  tool_name: string;
  args: Record<string, unknown>;
  targets: IntentTarget[];
  arg_provenance: ArgProvenance[];
  context: IntentContext;
  /** Go RFC3339Nano in UTC; gait's 1980-01-01T00:00:00Z when absent. */
  created_at: string;
}

export interface TraceStep {
  step: 'normalize' | 'fail_closed' | 'rule' | 'dataflow' | 'destructive' | 'default' | 'decision';
  [key: string]: unknown;
}

export interface GateEvaluation {
  verdict: Verdict;
  reason_codes: string[];
  violations: string[];
  matched_rule: string | null;
  min_approvals: number;
  require_distinct_approvers: boolean;
  /** The matched rule's rate limit (requests > 0), for a stateful caller to enforce. */
  rate_limit: RateLimit | null;
  /** The matched rule asks for a broker credential (gait's gate eval blocks without a broker: applyBrokerRequirement). */
  require_broker_credential: boolean;
  policy_digest: string;
  /** null only when the intent could not be normalised and fail_closed blocked it. */
  intent_digest: string | null;
  trace_id: string;
  trace: TraceStep[];
}
