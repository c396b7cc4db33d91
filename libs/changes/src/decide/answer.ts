import type { ChangeInput } from './change-input.js';
import type { ChangeDecision, PathCheck, Tier } from './decide.js';
import type { Level } from './policy.js';
import type { RiskScore } from './risk-scorer.js';

export const CHANGE_STATUSES = ['approved', 'pending', 'rejected', 'expired', 'cancelled', 'break_glass'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

/**
 * The answer to a proposed change, one shape for POST /changes (201/202), GET /governance/request,
 * and `warden change check --json`: Autopack's GovernanceRequest fields first, its RiskScore, and
 * when held its structured protected-path error (create_protected_path_error) beside Warden's
 * approval id. The CLI leaves the four per-request fields null; the server fills them.
 */
export interface ChangeAnswer {
  request_id: string | null;
  run_id: string;
  phase_id: string;
  requested_paths: string[];
  justification: string;
  risk_level: Level;
  tier: Tier;
  auto_approved: boolean;
  /** Autopack's tri-state: true approved, false denied, null pending. */
  approved: boolean | null;
  approved_by: string | null;
  risk_score: RiskScore;
  error_type?: 'protected_path_violation';
  violated_paths?: string[];
  requires_approval?: true;
  approval_id?: string | null;
  status: ChangeStatus;
  reason_codes: string[];
  declared_risk_level: Level | null;
  assessed_risk_level: Level;
  diff_stats: ChangeInput['diff_stats'];
  task_category: string | null;
  description: string | null;
  engine: string | null;
  path_checks: PathCheck[];
  policy_digest: string;
  created_at: string | null;
  expires_at?: string | null;
}

/** The decision's answer before it is stored (what the CLI prints): deterministic for the same change and policy. */
export function answerOf(change: ChangeInput, d: ChangeDecision, policyDigest: string): ChangeAnswer {
  const held = !d.auto_approved;
  return {
    request_id: null,
    run_id: change.run_id,
    phase_id: change.phase_id,
    requested_paths: change.paths,
    justification: change.justification,
    risk_level: d.risk_level,
    tier: d.tier,
    auto_approved: d.auto_approved,
    approved: held ? null : true,
    approved_by: held ? null : 'auto',
    risk_score: d.risk_score,
    ...(held ? { error_type: 'protected_path_violation' as const, violated_paths: d.violated_paths, requires_approval: true as const, approval_id: null } : {}),
    status: held ? 'pending' : 'approved',
    reason_codes: d.reason_codes,
    declared_risk_level: d.declared_risk_level,
    assessed_risk_level: d.assessed_risk_level,
    diff_stats: change.diff_stats,
    task_category: change.task_category,
    description: change.description,
    engine: change.engine,
    path_checks: d.path_checks,
    policy_digest: policyDigest,
    created_at: null,
    ...(held ? { expires_at: null } : {}),
  };
}
