import type { Notification } from '#platform';
import type { NewDecision } from './gate.repository.js';

/** The gate's notification topics: the seed's `governance.rejected` (alerts) and `governance.approval_required` (people). */
export const GATE_TOPICS = { blocked: 'gate.blocked', approvalRequired: 'gate.approval_required' } as const;

/** The topic a decision is announced under, or null: only enforced blocks and holds, never a simulation (observe/dry_run answer allow or dry_run). */
export function gateTopicOf(verdict: NewDecision['verdict'], simulate: boolean): string | null {
  if (simulate) return null;
  return verdict === 'block' ? GATE_TOPICS.blocked : verdict === 'require_approval' ? GATE_TOPICS.approvalRequired : null;
}

export interface DecisionFacts {
  toolName: string | null;
  violations: readonly string[];
  matchedRule: string | null;
  traceId: string;
}

/** One notification per decision, subject `gate_decision:<id>`; the reasons are in the Slack text. */
export function gateNotification(topic: string, d: NewDecision & { id: string }, facts: DecisionFacts): Notification {
  const who = d.identity ?? d.principal;
  const what = facts.toolName ?? 'an intent';
  const reasons = d.reasonCodes.length ? d.reasonCodes.join(', ') : 'no reason code';
  const text =
    topic === GATE_TOPICS.blocked
      ? `:no_entry: Gate blocked ${what} by ${who} (policy ${d.policyName}): ${reasons} — decision ${d.id}`
      : `:hourglass: Gate holds ${what} by ${who} for approval (policy ${d.policyName}): ${reasons} — approval ${d.approvalId ?? 'pending'}, decision ${d.id}`;
  return {
    topic,
    subject: `gate_decision:${d.id}`,
    body: {
      decision_id: d.id,
      verdict: d.verdict,
      reason_codes: d.reasonCodes,
      violations: facts.violations,
      matched_rule: facts.matchedRule,
      tool_name: facts.toolName,
      identity: d.identity,
      engine: d.engine,
      principal: d.principal,
      policy: d.policyName,
      policy_digest: d.policyDigest,
      intent_digest: d.intentDigest,
      trace_id: facts.traceId,
      approval_id: d.approvalId,
      at: d.at.toISOString(),
    },
    text,
  };
}
