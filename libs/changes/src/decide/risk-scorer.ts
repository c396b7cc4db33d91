import { codePoints } from './fnmatch.js';
import type { CompiledPolicy } from './policy.js';

export type ScoreLevel = 'low' | 'medium' | 'high';

/** RiskScorer.score_phase's answer (risk_scorer.py), the fields Warden returns. */
export interface RiskScore {
  score: number;
  level: ScoreLevel;
  factors: { scope_size: number; protected_paths: number; category: number; cross_cutting: number };
  reasons: string[];
}

/** The phase spec fields the scorer reads. */
export interface PhaseSpec {
  task_category: string | null;
  description: string | null;
}

/** _score_scope_size: 0 up to 5 files, 0.1 up to 10, 0.2 up to the threshold, then +0.01 a file up to 0.4. */
export function scopeRisk(files: number, threshold: number): number {
  if (files <= 5) return 0.0;
  if (files <= 10) return 0.1;
  if (files <= threshold) return 0.2;
  return Math.min(0.4, 0.2 + (files - threshold) * 0.01);
}

/** _score_cross_cutting: 0 for one directory, 0.05 for two, 0.1 up to the threshold, then +0.02 each up to 0.2. */
export function crossCuttingRisk(dirs: number, threshold: number): number {
  if (dirs <= 1) return 0.0;
  if (dirs <= 2) return 0.05;
  if (dirs <= threshold) return 0.1;
  return Math.min(0.2, 0.1 + (dirs - threshold) * 0.02);
}

/**
 * _get_affected_directories: `str(Path(p).parent)` for each path not at the root. Paths reaching
 * here are canonical (change-input.ts), so the parent is the text before the last '/'.
 */
export function affectedDirectories(paths: readonly string[]): Set<string> {
  const dirs = new Set<string>();
  for (const p of paths) {
    const cut = p.lastIndexOf('/');
    if (cut > 0) dirs.add(p.slice(0, cut));
  }
  return dirs;
}

/** _score_category: a high-risk name in the category or description 0.3, a medium one 0.15, else 0 (substring, lower-cased). */
export function categoryRisk(spec: PhaseSpec, high: readonly string[], medium: readonly string[]): number {
  const category = (spec.task_category ?? '').toLowerCase();
  const description = (spec.description ?? '').toLowerCase();
  if (high.some((c) => category.includes(c) || description.includes(c))) return 0.3;
  if (medium.some((c) => category.includes(c) || description.includes(c))) return 0.15;
  return 0.0;
}

/**
 * RiskScorer.score_phase, deterministic and without I/O: the same factors, weights, order of float
 * operations (so the same doubles as Python), reasons and thresholds.
 */
export function scorePhase(compiled: CompiledPolicy, spec: PhaseSpec, files: readonly string[], points?: ReadonlyArray<readonly number[]>): RiskScore {
  const cfg = compiled.policy.risk_scorer;
  const reasons: string[] = [];
  const scope = scopeRisk(files.length, cfg.large_scope_threshold);
  if (scope > 0.2) reasons.push(`Large scope: ${files.length} files (threshold: ${cfg.large_scope_threshold})`);

  const protectedFiles = files.filter((f, i) => compiled.protectedPaths.has(f, points?.[i] ?? codePoints(f)));
  const protectedRisk = protectedFiles.length ? 0.5 : 0.0;
  if (protectedRisk > 0.0) reasons.push(`Protected paths modified: ${protectedFiles.join(', ')}`);

  const category = categoryRisk(spec, cfg.high_risk_categories, cfg.medium_risk_categories);
  if (category > 0.2) reasons.push(`High-risk category: ${spec.task_category ?? 'unknown'}`);

  const dirs = affectedDirectories(files);
  const cross = crossCuttingRisk(dirs.size, cfg.cross_cutting_threshold);
  if (cross > 0.1) reasons.push(`Cross-cutting changes: ${dirs.size} directories affected`);

  const w = cfg.weights;
  const score = scope * w.scope_size + protectedRisk * w.protected_paths + category * w.category + cross * w.cross_cutting;
  const level: ScoreLevel = score >= cfg.thresholds.high ? 'high' : score >= cfg.thresholds.medium ? 'medium' : 'low';
  return { score, level, factors: { scope_size: scope, protected_paths: protectedRisk, category, cross_cutting: cross }, reasons };
}
