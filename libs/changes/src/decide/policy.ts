import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_POLICY_YAML } from './default-policy.js';
import { ChangeInputError } from './input-error.js';
import { PatternSet } from './pattern-set.js';

export const LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];
export const rank = (l: Level) => LEVELS.indexOf(l);
export const maxLevel = (a: Level, b: Level): Level => (rank(a) >= rank(b) ? a : b);

/** The policy as stored (normalized): what its digest covers. */
export interface ChangePolicy {
  version: 1;
  never_auto_approve: string[];
  risk_levels: Record<Level, string[]>;
  default_risk_level: Level;
  auto_approve: { paths: string[]; max_risk_level: Level; max_lines_changed: number };
  large_deletion: { notify_over_lines_removed: number; hold_over_lines_removed: number };
  risk_scorer: {
    protected_paths: string[];
    high_risk_categories: string[];
    medium_risk_categories: string[];
    large_scope_threshold: number;
    cross_cutting_threshold: number;
    weights: { scope_size: number; protected_paths: number; category: number; cross_cutting: number };
    thresholds: { medium: number; high: number };
    require_approval_for_medium: boolean;
  };
  approval: { timeout_seconds: number };
}

/** A policy ready to decide with: its lists indexed (PatternSet), its digest computed once. */
export interface CompiledPolicy {
  policy: ChangePolicy;
  digest: string;
  never: PatternSet;
  levels: Record<Level, PatternSet>;
  allow: PatternSet;
  protectedPaths: PatternSet;
}

export const POLICY_LIMITS = { yaml_bytes: 262_144, patterns: 5_000, pattern_chars: 512, categories: 200, category_chars: 100 } as const;

type Obj = Record<string, unknown>;

function fail(field: string, problem: string, code = 'invalid_policy'): never {
  throw new ChangeInputError(code, field, problem);
}

function object(v: unknown, field: string, keys: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, `${field} must be a mapping`);
  const o = v as Obj;
  const unknown = Object.keys(o).filter((k) => !keys.includes(k));
  if (unknown.length) fail(field, `${field} has unknown key(s) ${unknown.join(', ')} (allowed: ${keys.join(', ')})`);
  const missing = keys.filter((k) => !(k in o));
  if (missing.length) fail(field, `${field} must state ${missing.join(', ')}`);
  return o;
}

const SCORER_REGEX_SYNTAX = /[?[\]()+{}|^$\\]/;

function patterns(v: unknown, field: string, counter: { n: number }, scorer = false): string[] {
  if (!Array.isArray(v)) fail(field, `${field} must be a list of path patterns`);
  return v.map((p, i) => {
    const f = `${field}[${i}]`;
    if (typeof p !== 'string' || p.length === 0) fail(f, `${f} must be a non-empty string`);
    if (p.length > POLICY_LIMITS.pattern_chars) fail(f, `${f} is longer than ${POLICY_LIMITS.pattern_chars} characters`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(p)) fail(f, `${f} has a control character`);
    if (scorer && SCORER_REGEX_SYNTAX.test(p)) fail(f, `${f}: the RiskScorer's patterns allow only '*' and '.' as specials (it matches them as a regular expression)`);
    if (++counter.n > POLICY_LIMITS.patterns) fail(field, `more than ${POLICY_LIMITS.patterns} patterns in the policy`, 'policy_too_large');
    return p;
  });
}

function words(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.length > POLICY_LIMITS.categories) fail(field, `${field} must be a list of at most ${POLICY_LIMITS.categories} category names`);
  return v.map((w, i) => {
    if (typeof w !== 'string' || !w.trim() || w.length > POLICY_LIMITS.category_chars) fail(`${field}[${i}]`, `${field}[${i}] must be a name of 1-${POLICY_LIMITS.category_chars} characters`);
    return w.toLowerCase();
  });
}

function level(v: unknown, field: string): Level {
  if (typeof v !== 'string' || !(LEVELS as readonly string[]).includes(v)) fail(field, `${field} must be one of ${LEVELS.join(', ')}`);
  return v as Level;
}

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(field, `${field} must be an integer from ${min} to ${max}`);
  return v;
}

function ratio(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) fail(field, `${field} must be a number in [0, 1]`);
  return v;
}

/** Checks a parsed document and returns the normalized policy (every key stated, nothing else). */
export function normalizePolicy(doc: unknown): ChangePolicy {
  const counter = { n: 0 };
  const o = object(doc, 'policy', ['version', 'never_auto_approve', 'risk_levels', 'default_risk_level', 'auto_approve', 'large_deletion', 'risk_scorer', 'approval']);
  if (o.version !== 1) fail('version', 'version must be 1');
  const rl = object(o.risk_levels, 'risk_levels', LEVELS);
  const aa = object(o.auto_approve, 'auto_approve', ['paths', 'max_risk_level', 'max_lines_changed']);
  const ld = object(o.large_deletion, 'large_deletion', ['notify_over_lines_removed', 'hold_over_lines_removed']);
  const rs = object(o.risk_scorer, 'risk_scorer', [
    'protected_paths', 'high_risk_categories', 'medium_risk_categories', 'large_scope_threshold', 'cross_cutting_threshold', 'weights', 'thresholds', 'require_approval_for_medium',
  ]);
  const w = object(rs.weights, 'risk_scorer.weights', ['scope_size', 'protected_paths', 'category', 'cross_cutting']);
  const th = object(rs.thresholds, 'risk_scorer.thresholds', ['medium', 'high']);
  const ap = object(o.approval, 'approval', ['timeout_seconds']);
  if (typeof rs.require_approval_for_medium !== 'boolean') fail('risk_scorer.require_approval_for_medium', 'risk_scorer.require_approval_for_medium must be true or false');
  const policy: ChangePolicy = {
    version: 1,
    never_auto_approve: patterns(o.never_auto_approve, 'never_auto_approve', counter),
    risk_levels: {
      low: patterns(rl.low, 'risk_levels.low', counter),
      medium: patterns(rl.medium, 'risk_levels.medium', counter),
      high: patterns(rl.high, 'risk_levels.high', counter),
      critical: patterns(rl.critical, 'risk_levels.critical', counter),
    },
    default_risk_level: level(o.default_risk_level, 'default_risk_level'),
    auto_approve: {
      paths: patterns(aa.paths, 'auto_approve.paths', counter),
      max_risk_level: level(aa.max_risk_level, 'auto_approve.max_risk_level'),
      max_lines_changed: int(aa.max_lines_changed, 'auto_approve.max_lines_changed', 0, 1_000_000_000),
    },
    large_deletion: {
      notify_over_lines_removed: int(ld.notify_over_lines_removed, 'large_deletion.notify_over_lines_removed', 0, 1_000_000_000),
      hold_over_lines_removed: int(ld.hold_over_lines_removed, 'large_deletion.hold_over_lines_removed', 0, 1_000_000_000),
    },
    risk_scorer: {
      protected_paths: patterns(rs.protected_paths, 'risk_scorer.protected_paths', counter, true),
      high_risk_categories: words(rs.high_risk_categories, 'risk_scorer.high_risk_categories'),
      medium_risk_categories: words(rs.medium_risk_categories, 'risk_scorer.medium_risk_categories'),
      large_scope_threshold: int(rs.large_scope_threshold, 'risk_scorer.large_scope_threshold', 10, 100_000),
      cross_cutting_threshold: int(rs.cross_cutting_threshold, 'risk_scorer.cross_cutting_threshold', 2, 100_000),
      weights: {
        scope_size: ratio(w.scope_size, 'risk_scorer.weights.scope_size'),
        protected_paths: ratio(w.protected_paths, 'risk_scorer.weights.protected_paths'),
        category: ratio(w.category, 'risk_scorer.weights.category'),
        cross_cutting: ratio(w.cross_cutting, 'risk_scorer.weights.cross_cutting'),
      },
      thresholds: { medium: ratio(th.medium, 'risk_scorer.thresholds.medium'), high: ratio(th.high, 'risk_scorer.thresholds.high') },
      require_approval_for_medium: rs.require_approval_for_medium,
    },
    approval: { timeout_seconds: int(ap.timeout_seconds, 'approval.timeout_seconds', 1, 7 * 24 * 3600) },
  };
  if (policy.risk_scorer.thresholds.medium > policy.risk_scorer.thresholds.high) fail('risk_scorer.thresholds', 'risk_scorer.thresholds.medium must not exceed high');
  return policy;
}

/** Parses policy YAML (refusing anything over POLICY_LIMITS) into the normalized policy. */
export function parsePolicyYaml(text: string): ChangePolicy {
  if (Buffer.byteLength(text, 'utf8') > POLICY_LIMITS.yaml_bytes) fail('policy', `the policy is over ${POLICY_LIMITS.yaml_bytes} bytes`, 'policy_too_large');
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (e) {
    fail('policy', `the policy is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return normalizePolicy(doc);
}

/** SHA-256 over the RFC 8785 canonical JSON of the normalized policy: equal policies, equal digests. */
export function policyDigest(policy: ChangePolicy): string {
  return createHash('sha256').update(canonicalize(policy)!).digest('hex');
}

export function compilePolicy(policy: ChangePolicy): CompiledPolicy {
  return {
    policy,
    digest: policyDigest(policy),
    never: new PatternSet(policy.never_auto_approve),
    levels: {
      low: new PatternSet(policy.risk_levels.low),
      medium: new PatternSet(policy.risk_levels.medium),
      high: new PatternSet(policy.risk_levels.high),
      critical: new PatternSet(policy.risk_levels.critical),
    },
    allow: new PatternSet(policy.auto_approve.paths),
    protectedPaths: new PatternSet(policy.risk_scorer.protected_paths, 'scorer'),
  };
}

export const DEFAULT_POLICY: CompiledPolicy = compilePolicy(parsePolicyYaml(DEFAULT_POLICY_YAML));
