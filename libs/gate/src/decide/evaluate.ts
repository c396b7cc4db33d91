import { GateInputError } from './input-error.js';
import { intentDigest, policyDigest, traceId } from './digest.js';
import { isNormalizedIntent, normalizeIntent } from './intent.js';
import { isObj } from './read.js';
import { firstMatchLinear, indexFor } from './rule-index.js';
import { mergeUniqueSorted, mostRestrictive, sanitizeName, uniqueSorted, type Verdict } from './strings.js';
import type { GateEvaluation, GateIntent, GatePolicy, PolicyRule, TraceStep } from './types.js';

export interface EvaluateOptions {
  /** Scan every rule instead of using the index (the reference the property test compares with). */
  linear?: boolean;
}

const digests = new WeakMap<GatePolicy, string>();
/** A policy's digest, computed once per normalised policy object (10,000 rules take milliseconds). */
export function policyDigestOf(policy: GatePolicy): string {
  let d = digests.get(policy);
  if (d === undefined) {
    d = policyDigest(policy);
    digests.set(policy, d);
  }
  return d;
}

const failClosedApplies = (policy: GatePolicy, riskClass: string) =>
  policy.fail_closed.enabled && policy.fail_closed.risk_classes.includes(riskClass.trim().toLowerCase());

/**
 * Whether `policy` blocks a raw intent that cannot be normalised (its fail_closed covers the risk
 * class the raw intent names) rather than refusing it as invalid input.
 */
export function failsClosedOnInvalid(policy: GatePolicy, rawIntent: unknown): boolean {
  const riskClass = isObj(rawIntent) && isObj(rawIntent.context) && typeof rawIntent.context.risk_class === 'string' ? rawIntent.context.risk_class : '';
  return failClosedApplies(policy, riskClass);
}

/**
 * Evaluates one intent against one normalised policy, as gait's EvaluatePolicyDetailed does for a
 * single (non-script) intent:
 *   1. an intent that cannot be normalised blocks when fail_closed covers its risk class
 *      (`fail_closed_intent_invalid`), otherwise it is invalid input (GateInputError);
 *   2. fail_closed covering the risk class blocks on each missing required field and on any
 *      target whose endpoint class is unknown;
 *   3. rules in priority-then-name order, the first match decides (its reason codes, or
 *      `matched_rule_<name>`); a triggered dataflow constraint replaces the effect; a destructive
 *      target raises the verdict to require_approval (apply) or dry_run (plan);
 *   4. no match: `default_verdict` with `default_<verdict>`.
 * `intent` may be raw (decoded JSON) or already normalised by normalizeIntent.
 */
export function evaluateIntent(policy: GatePolicy, intent: unknown, opts: EvaluateOptions = {}): GateEvaluation {
  const pDigest = policyDigestOf(policy);
  let normalized: GateIntent;
  try {
    normalized = isNormalizedIntent(intent) ? intent : normalizeIntent(intent);
  } catch (e) {
    if (!(e instanceof GateInputError) || !failsClosedOnInvalid(policy, intent)) throw e;
    const trace: TraceStep[] = [{ step: 'normalize', ok: false, error: e.message }];
    return finish(pDigest, null, 'block', ['fail_closed_intent_invalid'], ['intent_not_evaluable'], null, 0, trace);
  }
  const iDigest = intentDigest(normalized);
  const trace: TraceStep[] = [{ step: 'normalize', ok: true, tool_name: normalized.tool_name, risk_class: normalized.context.risk_class }];

  if (failClosedApplies(policy, normalized.context.risk_class)) {
    const [reasons, violations] = failClosedFindings(policy.fail_closed.required_fields, normalized);
    trace.push({ step: 'fail_closed', applies: true, reason_codes: reasons });
    if (reasons.length > 0) return finish(pDigest, iDigest, 'block', reasons, violations, null, 0, trace);
  }

  let rule: PolicyRule | null;
  if (opts.linear) {
    rule = firstMatchLinear(policy, normalized);
    trace.push({ step: 'rule', strategy: 'linear', matched: rule?.name ?? null });
  } else {
    const found = indexFor(policy).firstMatch(normalized);
    rule = found.rule;
    trace.push({ step: 'rule', strategy: 'index', candidates_examined: found.examined, matched: rule?.name ?? null, priority: rule?.priority ?? null });
  }
  if (!rule) {
    const v = policy.default_verdict;
    trace.push({ step: 'default', verdict: v });
    return finish(pDigest, iDigest, v, [`default_${v}`], [], null, v === 'require_approval' ? 1 : 0, trace);
  }

  let effect: Verdict = rule.effect;
  let reasons = rule.reason_codes.length > 0 ? rule.reason_codes : [`matched_rule_${sanitizeName(rule.name)}`];
  let violations = rule.violations;
  if (dataflowTriggered(rule, normalized)) {
    effect = rule.dataflow.action as Verdict;
    reasons = mergeUniqueSorted(reasons, [rule.dataflow.reason_code]);
    violations = mergeUniqueSorted(violations, [rule.dataflow.violation]);
    trace.push({ step: 'dataflow', triggered: true, effect });
  }
  if (normalized.targets.some((t) => t.destructive)) {
    const [raised, code] = normalized.context.phase === 'plan' ? (['dry_run', 'plan_phase_non_destructive'] as const) : (['require_approval', 'destructive_apply_requires_approval'] as const);
    effect = mostRestrictive(effect, raised);
    reasons = mergeUniqueSorted(reasons, [code]);
    trace.push({ step: 'destructive', phase: normalized.context.phase, raised_to: effect });
  }
  const minApprovals = effect === 'require_approval' && rule.min_approvals === 0 ? 1 : rule.min_approvals;
  const out = finish(pDigest, iDigest, effect, reasons, violations, rule.name, minApprovals, trace);
  out.require_distinct_approvers = rule.require_distinct_approvers;
  out.rate_limit = rule.rate_limit.requests > 0 ? { ...rule.rate_limit } : null;
  return out;
}

function finish(
  pDigest: string, iDigest: string | null, verdict: Verdict, reasons: readonly string[], violations: readonly string[],
  matchedRule: string | null, minApprovals: number, trace: TraceStep[],
): GateEvaluation {
  trace.push({ step: 'decision', verdict, matched_rule: matchedRule });
  return {
    verdict,
    reason_codes: uniqueSorted(reasons),
    violations: uniqueSorted(violations),
    matched_rule: matchedRule,
    min_approvals: minApprovals,
    require_distinct_approvers: false,
    rate_limit: null,
    policy_digest: pDigest,
    intent_digest: iDigest,
    trace_id: traceId(pDigest, iDigest ?? '', verdict),
    trace,
  };
}

function failClosedFindings(required: readonly string[], intent: GateIntent): [string[], string[]] {
  const found: [string, string][] = [];
  const unknownClass = intent.targets.some((t) => t.endpoint_class === '' || t.endpoint_class === 'other');
  for (const field of required) {
    if (field === 'targets' && intent.targets.length === 0) found.push(['fail_closed_missing_targets', 'missing_targets']);
    if (field === 'arg_provenance' && intent.arg_provenance.length === 0) found.push(['fail_closed_missing_arg_provenance', 'missing_arg_provenance']);
    if (field === 'endpoint_class' && unknownClass) found.push(['fail_closed_missing_endpoint_class', 'missing_endpoint_class']);
    if (field === 'context_evidence' && intent.context.context_set_digest === '') found.push(['context_evidence_missing', 'missing_context_evidence']);
  }
  // gait checks this whenever fail_closed covers the risk class, listed or not.
  if (unknownClass) found.push(['fail_closed_endpoint_class_unknown', 'endpoint_class_unknown']);
  const reasons = found.map(([r]) => r);
  const violations = found.map(([, v]) => v);
  return [uniqueSorted(reasons), uniqueSorted(violations)];
}

const DEFAULT_EGRESS_KINDS = ['host', 'url', 'bucket', 'queue', 'topic'];

/** gait's dataflow constraint: tainted provenance flowing to a matching (or default egress) destination. */
function dataflowTriggered(rule: PolicyRule, intent: GateIntent): boolean {
  const d = rule.dataflow;
  if (!d.enabled || !intent.arg_provenance.some((p) => d.tainted_sources.includes(p.source)) || intent.targets.length === 0) return false;
  if (d.destination_kinds.length + d.destination_values.length + d.destination_operations.length === 0) {
    return intent.targets.some((t) => DEFAULT_EGRESS_KINDS.includes(t.kind));
  }
  return intent.targets.some(
    (t) =>
      (d.destination_kinds.length === 0 || d.destination_kinds.includes(t.kind)) &&
      (d.destination_values.length === 0 || d.destination_values.includes(t.value)) &&
      (d.destination_operations.length === 0 || d.destination_operations.includes(t.operation)),
  );
}

