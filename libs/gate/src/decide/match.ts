import type { GateIntent, PolicyMatch } from './types.js';

/**
 * gait's ruleMatches for the supported fields: every non-empty list must be met (AND across
 * fields); within a target-based field, one target suffices (OR across targets).
 */
export function ruleMatches(m: PolicyMatch, intent: GateIntent): boolean {
  const ctx = intent.context;
  if (m.tool_names.length > 0 && !m.tool_names.includes(intent.tool_name)) return false;
  if (m.risk_classes.length > 0 && !m.risk_classes.includes(ctx.risk_class)) return false;
  if (m.identities.length > 0 && !m.identities.includes(ctx.identity)) return false;
  if (m.workspace_prefixes.length > 0 && !m.workspace_prefixes.some((p) => ctx.workspace.startsWith(p))) return false;
  const t = intent.targets;
  if (m.target_kinds.length > 0 && !t.some((x) => m.target_kinds.includes(x.kind))) return false;
  if (m.target_values.length > 0 && !t.some((x) => m.target_values.includes(x.value))) return false;
  if (m.endpoint_classes.length > 0 && !t.some((x) => m.endpoint_classes.includes(x.endpoint_class))) return false;
  if (m.data_classes.length > 0 && !t.some((x) => m.data_classes.includes(x.sensitivity))) return false;
  if (m.destination_kinds.length > 0 && !t.some((x) => m.destination_kinds.includes(x.kind))) return false;
  if (m.destination_values.length > 0 && !t.some((x) => m.destination_values.includes(x.value))) return false;
  if (m.destination_operations.length > 0 && !t.some((x) => m.destination_operations.includes(x.operation))) return false;
  if (m.provenance_sources.length > 0 && !intent.arg_provenance.some((p) => m.provenance_sources.includes(p.source))) return false;
  return true;
}
