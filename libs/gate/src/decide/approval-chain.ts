import type { KeyObject } from 'node:crypto';
import { validateApprovalToken, type ApprovalCode, type decodeApprovalToken } from './approval-token.js';
import { mergeUniqueSorted, uniqueSorted } from './strings.js';
import type { GateEvaluation } from './types.js';

type Decoded = ReturnType<typeof decodeApprovalToken>;

/** One token's outcome, as gait's approval audit entry. */
export interface ApprovalEntry {
  token_id: string;
  approver_identity: string;
  valid: boolean;
  error_code?: ApprovalCode;
}

export interface ApprovalOutcome<E> {
  evaluation: E;
  required_approvals: number;
  valid_approvals: number;
  /** Sorted, deduplicated ids of the valid tokens, comma-separated: set only when granted. */
  approval_ref: string;
  entries: ApprovalEntry[];
}

export interface ApprovalContext {
  /** gait's verification key; null when none is configured (every token is then signature_invalid). */
  publicKey: KeyObject | null;
  /**
   * The server's registered keys: each token is verified with the key its signature names (null:
   * not registered, so signature_invalid). Overrides `publicKey` when given.
   */
  keyFor?: (keyId: string) => KeyObject | null;
  now?: Date;
}

/**
 * gait's `gate eval` approval step at the seed (cmd/gait/gate.go). Only a require_approval looks at
 * tokens; each is checked against the evaluation's intent and policy digests and scope
 * `tool:<tool_name>`:
 *   - no token: `approval_token_missing`, violation `approval_not_granted`;
 *   - each invalid token adds its code (`approval_token_*`);
 *   - fewer valid tokens than required: `approval_chain_insufficient`; distinct approvers required
 *     (and more than one approval) but fewer distinct: `approval_distinct_approvers_required`;
 *     either with violation `approval_not_granted`, the verdict stays require_approval;
 *   - enough: `allow` with `approval_granted`, and approval_ref the valid tokens' ids.
 * The trace id is the caller's to recompute from the final verdict (gait emits its trace after).
 */
export function applyApprovalTokens<E extends Pick<GateEvaluation, 'verdict' | 'reason_codes' | 'violations' | 'min_approvals' | 'require_distinct_approvers' | 'policy_digest' | 'intent_digest'>>(
  e: E,
  toolName: string,
  tokens: readonly Decoded[],
  ctx: ApprovalContext,
): ApprovalOutcome<E> {
  const none: ApprovalOutcome<E> = { evaluation: e, required_approvals: e.min_approvals, valid_approvals: 0, approval_ref: '', entries: [] };
  if (e.verdict !== 'require_approval') return none;
  const required = Math.max(1, e.min_approvals);
  let reasons = e.reason_codes;
  let violations = e.violations;
  if (tokens.length === 0) {
    return { ...none, required_approvals: required, evaluation: { ...e, reason_codes: mergeUniqueSorted(reasons, ['approval_token_missing']), violations: mergeUniqueSorted(violations, ['approval_not_granted']) } };
  }
  const entries: ApprovalEntry[] = [];
  const ids: string[] = [];
  const approvers = new Set<string>();
  for (const t of tokens) {
    const key = ctx.keyFor ? ctx.keyFor(t.signature?.key_id ?? '') : ctx.publicKey;
    const check = validateApprovalToken(t, key, {
      expectedIntentDigest: e.intent_digest ?? '',
      expectedPolicyDigest: e.policy_digest,
      requiredScope: [`tool:${toolName}`],
      now: ctx.now,
    });
    const entry: ApprovalEntry = { token_id: t.fields.token_id, approver_identity: t.fields.approver_identity, valid: check.ok };
    if (!check.ok) {
      entry.error_code = check.code;
      reasons = mergeUniqueSorted(reasons, [check.code]);
    } else {
      // gait counts the token as read (not trimmed) for the ref and the distinct approvers.
      if (t.fields.token_id !== '') ids.push(t.fields.token_id);
      if (t.fields.approver_identity !== '') approvers.add(t.fields.approver_identity);
    }
    entries.push(entry);
  }
  const valid = entries.filter((x) => x.valid).length;
  let granted = true;
  if (valid < required) {
    reasons = mergeUniqueSorted(reasons, ['approval_chain_insufficient']);
    granted = false;
  }
  if (e.require_distinct_approvers && required > 1 && approvers.size < required) {
    reasons = mergeUniqueSorted(reasons, ['approval_distinct_approvers_required']);
    granted = false;
  }
  if (!granted) violations = mergeUniqueSorted(violations, ['approval_not_granted']);
  else reasons = mergeUniqueSorted(reasons, ['approval_granted']);
  return {
    evaluation: { ...e, verdict: granted ? 'allow' : e.verdict, reason_codes: reasons, violations },
    required_approvals: required,
    valid_approvals: valid,
    approval_ref: granted ? uniqueSorted(ids).join(',') : '',
    entries,
  };
}
