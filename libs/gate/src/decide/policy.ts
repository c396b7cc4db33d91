import { GateInputError } from './input-error.js';
import { decodePolicyYaml } from './policy-yaml.js';
import { bool, int, list, obj, onlyKeys, str, strList, type Obj } from './read.js';
import { compareBytes, isVerdict, normalizeList, normalizeListLower, uniqueSorted, type Verdict } from './strings.js';
import type { Dataflow, GatePolicy, PolicyMatch, PolicyRule, RateLimit } from './types.js';

export const POLICY_SCHEMA_ID = 'gait.gate.policy';
export const POLICY_SCHEMA_VERSION = '1.0.0';

const REQUIRED_FIELDS = ['targets', 'arg_provenance', 'endpoint_class', 'context_evidence'];
export const ENDPOINT_CLASSES = ['fs.read', 'fs.write', 'fs.delete', 'proc.exec', 'net.http', 'net.dns', 'ui.click', 'ui.type', 'ui.navigate', 'other'];
const WINDOWS = ['minute', 'hour'];
const SCOPES = ['tool', 'identity', 'tool_identity'];
const DATAFLOW_ACTIONS = ['block', 'require_approval'];

const TOP_KEYS = ['schema_id', 'schema_version', 'default_verdict', 'default_action', 'fail_closed', 'rules'];
const TOP_UNSUPPORTED = ['scripts', 'mcp_trust'];
const RULE_KEYS = ['name', 'priority', 'effect', 'action', 'match', 'reason_codes', 'violations', 'min_approvals', 'require_distinct_approvers', 'rate_limit', 'dataflow'];
const RULE_UNSUPPORTED = ['endpoint', 'require_context_evidence', 'required_context_evidence_mode', 'max_context_age_seconds', 'require_broker_credential', 'broker_reference', 'broker_scopes', 'destructive_budget'];
const MATCH_KEYS = ['tool_name', 'tool_names', 'risk_classes', 'identities', 'workspace_prefixes', 'target_kinds', 'target_values', 'endpoint_class', 'endpoint_classes', 'data_classes', 'destination_kinds', 'destination_values', 'destination_operations', 'provenance_sources'];
const MATCH_UNSUPPORTED = ['discovery_method', 'tool_annotations', 'skill_publishers', 'skill_sources', 'context_tool_names', 'context_data_classes', 'context_endpoint_classes', 'context_autonomy_levels', 'require_delegation', 'allowed_delegator_identities', 'allowed_delegate_identities', 'delegation_scopes', 'max_delegation_depth'];

/**
 * Parses policy YAML strictly (duplicate or unknown keys are errors, as gait's strict decoder) and
 * normalises it, within POLICY_LIMITS (size, depth, aliases, values, rules): the one way text from a
 * user (an upload, a CLI file) becomes a policy.
 */
export function parsePolicyYaml(text: string): GatePolicy {
  return normalizePolicy(decodePolicyYaml(text));
}

/** Validates and normalises a decoded policy exactly as gait's normalizePolicy (for the fields Warden supports). */
export function normalizePolicy(input: unknown): GatePolicy {
  const o = obj(input, 'policy');
  onlyKeys(o, '', TOP_KEYS, TOP_UNSUPPORTED);
  const schemaId = str(o.schema_id, 'schema_id') || POLICY_SCHEMA_ID;
  if (schemaId !== POLICY_SCHEMA_ID) throw new GateInputError(`unsupported policy schema_id: ${schemaId}`, 'schema_id');
  const schemaVersion = str(o.schema_version, 'schema_version') || POLICY_SCHEMA_VERSION;
  if (schemaVersion !== POLICY_SCHEMA_VERSION) throw new GateInputError(`unsupported policy schema_version: ${schemaVersion}`, 'schema_version');

  const defaultVerdict = aliased(o.default_verdict, o.default_action, 'default_verdict', 'default_action') || 'require_approval';
  if (!isVerdict(defaultVerdict)) throw new GateInputError(`invalid default_verdict: ${defaultVerdict}`, 'default_verdict');

  const fc = obj(o.fail_closed, 'fail_closed');
  onlyKeys(fc, 'fail_closed', ['enabled', 'risk_classes', 'required_fields']);
  const enabled = bool(fc.enabled, 'fail_closed.enabled');
  let riskClasses = normalizeListLower(strList(fc.risk_classes, 'fail_closed.risk_classes'));
  if (enabled && riskClasses.length === 0) riskClasses = ['critical', 'high'];
  const requiredFields = normalizeListLower(strList(fc.required_fields, 'fail_closed.required_fields'));
  for (const f of requiredFields) {
    if (f === 'delegation') throw new GateInputError('fail_closed required_field delegation is not evaluated by Warden yet', 'fail_closed.required_fields');
    if (!REQUIRED_FIELDS.includes(f)) throw new GateInputError(`unsupported fail_closed required_field: ${f}`, 'fail_closed.required_fields');
  }

  const rules = list(o.rules, 'rules').map((r, i) => normalizeRule(r, `rules[${i}]`));
  const names = new Set<string>();
  for (const r of rules) {
    // gait leaves two same-named rules of equal priority in an unspecified order; Warden refuses them.
    if (names.has(r.name)) throw new GateInputError(`duplicate rule name: ${r.name}`, 'rules');
    names.add(r.name);
  }
  rules.sort((a, b) => (a.priority !== b.priority ? a.priority - b.priority : compareBytes(a.name, b.name)));
  return {
    schema_id: POLICY_SCHEMA_ID,
    schema_version: POLICY_SCHEMA_VERSION,
    default_verdict: defaultVerdict,
    fail_closed: { enabled, risk_classes: riskClasses, required_fields: requiredFields },
    rules,
  };
}

/** `effect`/`action` and `default_verdict`/`default_action` are aliases in gait; both set must agree. */
function aliased(primary: unknown, alias: unknown, field: string, aliasField: string): string {
  const p = str(primary, field).trim().toLowerCase();
  const a = str(alias, aliasField).trim().toLowerCase();
  if (a !== '' && p !== '' && p !== a) throw new GateInputError(`${aliasField} must match ${field} when both are set`, field);
  return p || a;
}

function normalizeRule(input: unknown, at: string): PolicyRule {
  const o = obj(input, at);
  onlyKeys(o, at, RULE_KEYS, RULE_UNSUPPORTED);
  const name = str(o.name, `${at}.name`).trim();
  if (name === '') throw new GateInputError('rule name is required', `${at}.name`);
  const effect = aliased(o.effect, o.action, `${at}.effect`, `${at}.action`);
  if (effect === '') throw new GateInputError(`rule effect is required for ${name}`, `${at}.effect`);
  if (!isVerdict(effect)) throw new GateInputError(`invalid rule effect "${effect}" for ${name}`, `${at}.effect`);
  const minApprovals = int(o.min_approvals, `${at}.min_approvals`);
  if (minApprovals < 0) throw new GateInputError(`min_approvals must be >= 0 for ${name}`, `${at}.min_approvals`);
  return {
    name,
    priority: int(o.priority, `${at}.priority`),
    effect: effect as Verdict,
    match: normalizeMatch(obj(o.match, `${at}.match`), `${at}.match`, name),
    reason_codes: uniqueSorted(strList(o.reason_codes, `${at}.reason_codes`)),
    violations: uniqueSorted(strList(o.violations, `${at}.violations`)),
    min_approvals: minApprovals,
    // gait: more than one approval always means distinct approvers.
    require_distinct_approvers: bool(o.require_distinct_approvers, `${at}.require_distinct_approvers`) || minApprovals > 1,
    rate_limit: normalizeRateLimit(obj(o.rate_limit, `${at}.rate_limit`), `${at}.rate_limit`, name),
    dataflow: normalizeDataflow(obj(o.dataflow, `${at}.dataflow`), `${at}.dataflow`, name),
  };
}

function normalizeMatch(m: Obj, at: string, name: string): PolicyMatch {
  onlyKeys(m, at, MATCH_KEYS, MATCH_UNSUPPORTED);
  const toolNames = strList(m.tool_names, `${at}.tool_names`);
  const alias = str(m.tool_name, `${at}.tool_name`).trim();
  if (alias !== '') toolNames.push(alias);
  const endpointClasses = normalizeListLower([...strList(m.endpoint_classes, `${at}.endpoint_classes`), ...strList(m.endpoint_class, `${at}.endpoint_class`)]);
  for (const c of endpointClasses) {
    if (!ENDPOINT_CLASSES.includes(c)) throw new GateInputError(`unsupported match endpoint_class "${c}" for ${name}`, `${at}.endpoint_classes`);
  }
  return {
    tool_names: normalizeListLower(toolNames),
    risk_classes: normalizeListLower(strList(m.risk_classes, `${at}.risk_classes`)),
    identities: normalizeList(strList(m.identities, `${at}.identities`)),
    workspace_prefixes: normalizeList(strList(m.workspace_prefixes, `${at}.workspace_prefixes`)),
    target_kinds: normalizeListLower(strList(m.target_kinds, `${at}.target_kinds`)),
    target_values: normalizeList(strList(m.target_values, `${at}.target_values`)),
    endpoint_classes: endpointClasses,
    data_classes: normalizeListLower(strList(m.data_classes, `${at}.data_classes`)),
    destination_kinds: normalizeListLower(strList(m.destination_kinds, `${at}.destination_kinds`)),
    destination_values: normalizeList(strList(m.destination_values, `${at}.destination_values`)),
    destination_operations: normalizeListLower(strList(m.destination_operations, `${at}.destination_operations`)),
    provenance_sources: normalizeListLower(strList(m.provenance_sources, `${at}.provenance_sources`)),
  };
}

function normalizeRateLimit(r: Obj, at: string, name: string): RateLimit {
  onlyKeys(r, at, ['requests', 'window', 'scope']);
  const requests = int(r.requests, `${at}.requests`);
  if (requests < 0) throw new GateInputError(`rate_limit.requests must be >= 0 for ${name}`, `${at}.requests`);
  let window = str(r.window, `${at}.window`).trim().toLowerCase();
  let scope = str(r.scope, `${at}.scope`).trim().toLowerCase();
  if (requests > 0) {
    window ||= 'minute';
    if (!WINDOWS.includes(window)) throw new GateInputError(`unsupported rate_limit.window "${window}" for ${name}`, `${at}.window`);
    scope ||= 'tool_identity';
    if (!SCOPES.includes(scope)) throw new GateInputError(`unsupported rate_limit.scope "${scope}" for ${name}`, `${at}.scope`);
  }
  return { requests, window, scope };
}

function normalizeDataflow(d: Obj, at: string, name: string): Dataflow {
  onlyKeys(d, at, ['enabled', 'tainted_sources', 'destination_kinds', 'destination_values', 'destination_operations', 'action', 'reason_code', 'violation']);
  const out: Dataflow = {
    enabled: bool(d.enabled, `${at}.enabled`),
    tainted_sources: normalizeListLower(strList(d.tainted_sources, `${at}.tainted_sources`)),
    destination_kinds: normalizeListLower(strList(d.destination_kinds, `${at}.destination_kinds`)),
    destination_values: normalizeList(strList(d.destination_values, `${at}.destination_values`)),
    destination_operations: normalizeListLower(strList(d.destination_operations, `${at}.destination_operations`)),
    action: str(d.action, `${at}.action`).trim().toLowerCase(),
    reason_code: str(d.reason_code, `${at}.reason_code`).trim(),
    violation: str(d.violation, `${at}.violation`).trim(),
  };
  const configured = out.enabled || out.tainted_sources.length + out.destination_kinds.length + out.destination_values.length + out.destination_operations.length > 0;
  if (configured) {
    out.enabled = true;
    if (out.tainted_sources.length === 0) out.tainted_sources = ['external', 'tool_output'];
    out.action ||= 'require_approval';
    if (!DATAFLOW_ACTIONS.includes(out.action)) throw new GateInputError(`unsupported dataflow.action "${out.action}" for ${name}`, `${at}.action`);
    out.reason_code ||= 'dataflow_tainted_destination';
    out.violation ||= 'tainted_dataflow';
  }
  return out;
}
