import type { ChangeInput } from './change-input.js';
import { codePoints } from './fnmatch.js';
import { type CompiledPolicy, type Level, LEVELS, maxLevel, rank } from './policy.js';
import { type RiskScore, scorePhase } from './risk-scorer.js';

/** The seed's vocabulary (GOVERNANCE.md): 1 auto-approved, 2 notify + proceed, 3 approval required, 4 always block. */
export type Tier = 1 | 2 | 3 | 4;

export type PathVerdict = 'allow_list' | 'never_auto_approve' | 'risk_level' | 'too_many_lines' | 'large_deletion' | 'not_in_allow_list';

export interface AutoApproval {
  ok: boolean;
  why: PathVerdict;
  /** The pattern that decided it (never_auto_approve, allow_list), when one did. */
  pattern: string | null;
}

export type DiffStats = ChangeInput['diff_stats'];

/**
 * can_auto_approve(path, risk_level, diff_stats), governance_requests.py, in its order: the hard
 * block list, then a risk level above the policy's maximum (high, critical), then more lines changed
 * than the limit (absent stats count 0, as `.get("lines_changed", 0)`), then Warden's one addition,
 * the large-deletion hold; then the allow-list; anything else is denied by default.
 */
export function canAutoApprove(compiled: CompiledPolicy, path: string, level: Level, diff: DiffStats, points: readonly number[] = codePoints(path)): AutoApproval {
  const p = compiled.policy;
  const never = compiled.never.match(path, points);
  if (never !== null) return { ok: false, why: 'never_auto_approve', pattern: never };
  if (rank(level) > rank(p.auto_approve.max_risk_level)) return { ok: false, why: 'risk_level', pattern: null };
  if ((diff?.lines_changed ?? 0) > p.auto_approve.max_lines_changed) return { ok: false, why: 'too_many_lines', pattern: null };
  if ((diff?.lines_removed ?? 0) > p.large_deletion.hold_over_lines_removed) return { ok: false, why: 'large_deletion', pattern: null };
  const allowed = compiled.allow.match(path, points);
  if (allowed !== null) return { ok: true, why: 'allow_list', pattern: allowed };
  return { ok: false, why: 'not_in_allow_list', pattern: null };
}

/** assess_risk_level without a scorer: the highest level whose patterns match, else the default (medium). */
export function assessRiskLevel(compiled: CompiledPolicy, path: string, points: readonly number[] = codePoints(path)): Level {
  for (let i = LEVELS.length - 1; i >= 0; i--) {
    if (compiled.levels[LEVELS[i]].has(path, points)) return LEVELS[i];
  }
  return compiled.policy.default_risk_level;
}

export interface PathCheck {
  path: string;
  risk_level: Level;
  auto_approvable: boolean;
  why: PathVerdict;
  pattern: string | null;
}

export interface ChangeDecision {
  /** Effective: the higher of the declared and the assessed level. */
  risk_level: Level;
  declared_risk_level: Level | null;
  assessed_risk_level: Level;
  tier: Tier;
  auto_approved: boolean;
  risk_score: RiskScore;
  /** The paths that failed can_auto_approve (every path when the hold is the whole change's: the RiskScorer). */
  violated_paths: string[];
  /** Why it is held (held) or why it notifies (tier 2); stable codes, sorted. */
  reason_codes: string[];
  path_checks: PathCheck[];
}

/**
 * The whole decision for one change under one policy, pure and deterministic:
 * - each path's level (assess_risk_level), the change's assessed level their maximum (a deletion
 *   over the hold limit rates it critical), the effective level the higher of that and the declared;
 * - auto-approved exactly when every path passes can_auto_approve(path, effective level, diff_stats)
 *   and the RiskScorer does not say HIGH (nor MEDIUM when the policy makes MEDIUM need approval);
 * - tier 2 when auto-approved but the effective level or the score is MEDIUM, or a deletion is over
 *   the notify limit; tier 4 when held with a path on the never-auto-approve list; else tier 3.
 */
export function decideChange(compiled: CompiledPolicy, change: Pick<ChangeInput, 'paths' | 'diff_stats' | 'risk_level' | 'task_category' | 'description'>): ChangeDecision {
  const p = compiled.policy;
  const points = change.paths.map(codePoints);
  const levels = change.paths.map((path, i) => assessRiskLevel(compiled, path, points[i]));
  const removed = change.diff_stats?.lines_removed ?? 0;
  let assessed = levels.reduce<Level>((a, l) => maxLevel(a, l), 'low');
  if (removed > p.large_deletion.hold_over_lines_removed) assessed = 'critical';
  const effective = change.risk_level ? maxLevel(change.risk_level, assessed) : assessed;

  // The decision is the issue's: every path at the effective level. Each path's own check (at the
  // higher of the declared level and its own, as Autopack's create_governance_request calls it) says
  // which paths are at fault; when every path passes that, every path passes at the effective level
  // too (a passing path is at most the maximum allowed level), so the two never disagree on the outcome.
  const pathsPass = change.paths.every((path, i) => canAutoApprove(compiled, path, effective, change.diff_stats, points[i]).ok);
  const checks: PathCheck[] = change.paths.map((path, i) => {
    const own = change.risk_level ? maxLevel(change.risk_level, levels[i]) : levels[i];
    const a = canAutoApprove(compiled, path, own, change.diff_stats, points[i]);
    return { path, risk_level: levels[i], auto_approvable: a.ok, why: a.why, pattern: a.pattern };
  });
  const score = scorePhase(compiled, { task_category: change.task_category, description: change.description }, change.paths, points);
  const scoreHolds = score.level === 'high' || (score.level === 'medium' && p.risk_scorer.require_approval_for_medium);
  const auto = pathsPass && !scoreHolds;

  const codes = new Set<string>();
  let tier: Tier;
  if (auto) {
    if (effective === 'medium') codes.add('risk_level_medium');
    if (score.level === 'medium') codes.add('risk_score_medium');
    if (removed > p.large_deletion.notify_over_lines_removed) codes.add('large_deletion_notify');
    tier = codes.size ? 2 : 1;
  } else {
    for (const c of checks) if (!c.auto_approvable) codes.add(c.why === 'risk_level' ? `risk_level_${change.risk_level ? maxLevel(change.risk_level, c.risk_level) : c.risk_level}` : c.why);
    if (scoreHolds) codes.add(`risk_score_${score.level}`);
    tier = checks.some((c) => c.why === 'never_auto_approve') ? 4 : 3;
  }
  const failing = checks.filter((c) => !c.auto_approvable).map((c) => c.path);
  return {
    risk_level: effective,
    declared_risk_level: change.risk_level,
    assessed_risk_level: assessed,
    tier,
    auto_approved: auto,
    risk_score: score,
    violated_paths: auto ? [] : failing.length ? failing : [...change.paths],
    reason_codes: [...codes].sort(),
    path_checks: checks,
  };
}
