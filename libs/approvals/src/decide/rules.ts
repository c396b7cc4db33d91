import { type Role, roleAtLeast, ROLES } from '#platform';

/**
 * What an approval guards, named by the lever that owns it and registered at start
 * (approval-acts.registry.ts): approvals keeps no list of the levers above it. `manual` is its own.
 */
export type ApprovalKind = string;
export const MANUAL_KIND = 'manual';
/** A kind's and an act's spelling (also a name in WARDEN_TWO_PERSON). */
export const KIND_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** What the row says. */
export const STORED_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'cancelled'] as const;
export type ApprovalStatus = (typeof STORED_STATUSES)[number];

/**
 * Who may decide a request of a kind: `least` and above, plus any role in `also`. The owning lever
 * states it when it registers the kind; every kind asks for an operator today (the default).
 */
export interface ApproverRule {
  least: Role;
  also?: Role[];
}
export const DEFAULT_APPROVERS: ApproverRule = { least: 'operator', also: [] };

/** The roles that may decide a request under `rule` (stored on the request, checked by the decide statement). */
export function approverRoles(rule: ApproverRule = DEFAULT_APPROVERS): Role[] {
  return ROLES.filter((r) => roleAtLeast(r, rule.least) || (rule.also ?? []).includes(r));
}

export const DEFAULT_TTL_SECONDS = 3600;
export const MIN_TTL_SECONDS = 1;
export const MAX_TTL_SECONDS = 7 * 24 * 3600;
export const MAX_APPROVALS = 10;

/** min_approvals: 1 unless asked; a critical request needs at least two distinct approvers whatever was asked. */
export function minApprovalsFor(risk: RiskLevel, asked?: number | null): number {
  const floor = risk === 'critical' ? 2 : 1;
  return Math.min(MAX_APPROVALS, Math.max(floor, asked ?? floor));
}

/** expires_at from the request time and the asked lifetime (1 s to 7 days, default 1 h). */
export function expiresAt(now: Date, ttlSeconds?: number | null): Date {
  const ttl = ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < MIN_TTL_SECONDS || ttl > MAX_TTL_SECONDS) throw new RangeError(`ttl ${ttl} outside ${MIN_TTL_SECONDS}..${MAX_TTL_SECONDS} s`);
  return new Date(now.getTime() + ttl * 1000);
}

/**
 * The status every reader sees: a pending request past its expires_at is expired at once, before the
 * sweep has written it. (The SQL readers compute the same expression; see approvals.repository.ts.)
 */
export function effectiveStatus(stored: ApprovalStatus, expires: Date, now: Date): ApprovalStatus {
  return stored === 'pending' && expires.getTime() <= now.getTime() ? 'expired' : stored;
}

/** The original vocabulary: `timeout` for expired (expiry is rejection). */
export type AliasStatus = 'pending' | 'approved' | 'rejected' | 'timeout' | 'cancelled';
export function aliasStatus(status: ApprovalStatus): AliasStatus {
  return status === 'expired' ? 'timeout' : status;
}

/** After one more decision, what the request becomes: one rejection rejects, min_approvals approvals approve. */
export function statusAfter(decision: 'approve' | 'reject', approvalsBefore: number, minApprovals: number): ApprovalStatus {
  if (decision === 'reject') return 'rejected';
  return approvalsBefore + 1 >= minApprovals ? 'approved' : 'pending';
}
