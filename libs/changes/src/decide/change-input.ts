import { ChangeInputError } from './input-error.js';
import { type Level, LEVELS } from './policy.js';

/** A proposed change, as Autopack's agents describe it (GovernanceRequest + RiskScorer phase spec). */
export interface ChangeInput {
  run_id: string;
  phase_id: string;
  paths: string[];
  /** Autopack's names; absent means what can_auto_approve reads then: 0 lines. */
  diff_stats: { lines_changed: number; lines_removed: number } | null;
  /** The caller's declared level (lower-cased), or null. */
  risk_level: Level | null;
  justification: string;
  task_category: string | null;
  description: string | null;
  /** Which engine the run belongs to (the token binding's unit); optional. */
  engine: string | null;
}

export const CHANGE_LIMITS = { paths: 1_000, path_chars: 1_024, id_chars: 200, text_chars: 10_000, category_chars: 200, lines: 1_000_000_000 } as const;

/** Autopack's default when the builder gave none (create_governance_request). */
export const NO_JUSTIFICATION = 'No justification provided';

const KEYS = ['run_id', 'phase_id', 'paths', 'diff_stats', 'risk_level', 'justification', 'task_category', 'description', 'engine'];
const ENGINE = /^[A-Z0-9_]{1,32}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0001-\u001f\u007f]/;

type Problem = { field: string; code: string; problem: string };

/**
 * Why a path is refused, or null: it must be a canonical relative POSIX path inside the workspace.
 * `..`, an absolute path and NUL are the issue's; a backslash (a Windows separator that fnmatch
 * would read as a letter: `tests/test_\..\..\config\x`), control characters and `.`/empty segments
 * are refused too, so the path matched is the path applied.
 */
export function pathProblem(path: unknown): { code: string; problem: string } | null {
  if (typeof path !== 'string') return { code: 'path_not_string', problem: 'must be a string' };
  if (path.length === 0) return { code: 'path_empty', problem: 'must not be empty' };
  if (path.includes('\u0000')) return { code: 'path_nul', problem: 'contains NUL' };
  if (CONTROL.test(path)) return { code: 'path_control_character', problem: 'contains a control character' };
  if (path.length > CHANGE_LIMITS.path_chars) return { code: 'path_too_long', problem: `is longer than ${CHANGE_LIMITS.path_chars} characters` };
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path) || path.startsWith('~')) return { code: 'path_absolute', problem: 'is absolute: paths are relative to the workspace root' };
  if (path.includes('\\')) return { code: 'path_backslash', problem: "contains '\\': use '/' as the separator" };
  const segments = path.split('/');
  if (segments.includes('..')) return { code: 'path_climbs_out', problem: "contains '..': a change stays inside the workspace" };
  if (segments.some((s) => s === '' || s === '.')) return { code: 'path_not_canonical', problem: "has an empty or '.' segment (write it as git does: a/b.py)" };
  return null;
}

function text(o: Record<string, unknown>, key: string, max: number, problems: Problem[], required: boolean): string | null {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) problems.push({ field: key, code: 'missing_field', problem: `${key} is required` });
    return null;
  }
  if (typeof v !== 'string') {
    problems.push({ field: key, code: 'invalid_field', problem: `${key} must be a string` });
    return null;
  }
  const t = v.trim();
  if (required && !t) problems.push({ field: key, code: 'missing_field', problem: `${key} must not be empty` });
  else if (t.length > max) problems.push({ field: key, code: 'field_too_long', problem: `${key} is longer than ${max} characters` });
  else if (CONTROL.test(t.replace(/[\n\r\t]/g, ' ')) || t.includes('\u0000')) problems.push({ field: key, code: 'invalid_field', problem: `${key} contains a control character` });
  return t;
}

function lines(v: unknown, field: string, problems: Problem[]): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > CHANGE_LIMITS.lines) {
    problems.push({ field, code: 'invalid_diff_stats', problem: `${field} must be an integer from 0 to ${CHANGE_LIMITS.lines}` });
    return 0;
  }
  return v;
}

/**
 * Reads a change from untrusted JSON, collecting every problem (each bad path by index); throws one
 * ChangeInputError listing them all. The path count is checked before any path, so a 10,000-path
 * change costs one comparison.
 */
export function parseChange(body: unknown): ChangeInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ChangeInputError('invalid_change', 'body', 'the change must be a JSON object');
  const o = body as Record<string, unknown>;
  const problems: Problem[] = [];
  const unknown = Object.keys(o).filter((k) => !KEYS.includes(k));
  if (unknown.length) problems.push({ field: unknown[0], code: 'unknown_field', problem: `unknown field(s) ${unknown.join(', ')} (allowed: ${KEYS.join(', ')})` });

  const runId = text(o, 'run_id', CHANGE_LIMITS.id_chars, problems, true);
  const phaseId = text(o, 'phase_id', CHANGE_LIMITS.id_chars, problems, true);
  const paths: string[] = [];
  if (!Array.isArray(o.paths)) problems.push({ field: 'paths', code: o.paths === undefined ? 'no_paths' : 'invalid_field', problem: 'paths must be a list of file paths' });
  else if (o.paths.length === 0) problems.push({ field: 'paths', code: 'no_paths', problem: 'paths must name at least one file' });
  else if (o.paths.length > CHANGE_LIMITS.paths) problems.push({ field: 'paths', code: 'too_many_paths', problem: `paths has ${o.paths.length} entries; at most ${CHANGE_LIMITS.paths} per change (split it)` });
  else {
    const seen = new Set<string>();
    o.paths.forEach((p: unknown, i: number) => {
      const bad = pathProblem(p);
      if (bad) problems.push({ field: `paths[${i}]`, ...bad });
      else if (seen.has(p as string)) problems.push({ field: `paths[${i}]`, code: 'path_duplicate', problem: `${String(p)} is listed twice` });
      else {
        seen.add(p as string);
        paths.push(p as string);
      }
    });
  }

  let diff: ChangeInput['diff_stats'] = null;
  if (o.diff_stats !== undefined && o.diff_stats !== null) {
    const d = o.diff_stats as Record<string, unknown>;
    if (typeof d !== 'object' || Array.isArray(d)) problems.push({ field: 'diff_stats', code: 'invalid_diff_stats', problem: 'diff_stats must be an object {lines_changed, lines_removed}' });
    else {
      const extra = Object.keys(d).filter((k) => k !== 'lines_changed' && k !== 'lines_removed');
      if (extra.length) problems.push({ field: 'diff_stats', code: 'invalid_diff_stats', problem: `diff_stats has unknown field(s) ${extra.join(', ')} (allowed: lines_changed, lines_removed)` });
      diff = { lines_changed: lines(d.lines_changed, 'diff_stats.lines_changed', problems), lines_removed: lines(d.lines_removed, 'diff_stats.lines_removed', problems) };
    }
  }

  let declared: Level | null = null;
  if (o.risk_level !== undefined && o.risk_level !== null) {
    const l = typeof o.risk_level === 'string' ? o.risk_level.trim().toLowerCase() : '';
    if ((LEVELS as readonly string[]).includes(l)) declared = l as Level;
    else problems.push({ field: 'risk_level', code: 'invalid_risk_level', problem: `risk_level must be one of ${LEVELS.join(', ')}` });
  }

  let engine: string | null = null;
  if (o.engine !== undefined && o.engine !== null) {
    const e = typeof o.engine === 'string' ? o.engine.trim().toUpperCase() : '';
    if (ENGINE.test(e)) engine = e;
    else problems.push({ field: 'engine', code: 'invalid_field', problem: 'engine must be an engine name ([A-Z0-9_]{1,32})' });
  }

  const justification = text(o, 'justification', CHANGE_LIMITS.text_chars, problems, false);
  const category = text(o, 'task_category', CHANGE_LIMITS.category_chars, problems, false);
  const description = text(o, 'description', CHANGE_LIMITS.text_chars, problems, false);
  if (problems.length) {
    const shown = problems.slice(0, 10).map((p) => `${p.field}: ${p.problem}`);
    if (problems.length > 10) shown.push(`and ${problems.length - 10} more`);
    throw new ChangeInputError(problems[0].code, problems[0].field, shown.join('; '), problems);
  }
  return {
    run_id: runId!,
    phase_id: phaseId!,
    paths,
    diff_stats: diff,
    risk_level: declared,
    justification: justification || NO_JUSTIFICATION,
    task_category: category || null,
    description: description || null,
    engine,
  };
}
