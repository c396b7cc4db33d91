import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** One changed field of a control: a dotted path (`max_open_risk`, `rules.0`... objects only) and its two values. */
export interface ChangeDiffEntry {
  path: string;
  before: unknown;
  after: unknown;
}

/**
 * What a change request's approval carries in `payload.change_request`: the console and the CLI
 * render it as is. `before` is null for a control that does not exist yet.
 */
export interface ChangeRequestView {
  /** The control, e.g. `risk.policy` (what WARDEN_CHANGE_REQUESTS names). */
  control: string;
  /** Which one: the engine, the domain, `DOMAIN/metric`, the gate policy's name, `promotion_rules`. */
  subject: string;
  /** The control's version the change was proposed against (controlVersion); the change applies only while it holds. */
  base_version: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
  diff: ChangeDiffEntry[];
}

/** The version of a control that does not exist yet. */
export const ABSENT_VERSION = 'absent';

/** Bookkeeping a control's view carries that is no part of its value (left out of diffs). */
const BOOKKEEPING = new Set(['updated_at', 'updated_by', 'created_at', 'created_by', 'control_version']);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A control's version: a digest of its whole stored view (bookkeeping included, so any write, even
 * one that sets the same values again, moves it) in RFC 8785 canonical form; `absent` when there is
 * none. Any field called `control_version` is left out (it is this).
 */
export function controlVersion(view: Record<string, unknown> | null | undefined): string {
  if (!view) return ABSENT_VERSION;
  const { control_version: _self, ...rest } = view;
  return createHash('sha256').update(canonicalize(rest) ?? '', 'utf8').digest('hex').slice(0, 32);
}

/** A control's value: its view without bookkeeping (what a change request shows and compares). */
export function controlValue(view: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(view).filter(([k]) => !BOOKKEEPING.has(k)));
}

/**
 * The fields that differ between two values, sorted by path: nested objects are walked (`a.b`),
 * anything else (arrays, text, numbers) is compared whole by canonical JSON. A field missing on one
 * side is null there. `before` null: every field of `after` is new.
 */
export function diffValues(before: Record<string, unknown> | null, after: Record<string, unknown>): ChangeDiffEntry[] {
  const out: ChangeDiffEntry[] = [];
  walk(before ?? {}, after, '', out);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function walk(before: Record<string, unknown>, after: Record<string, unknown>, prefix: string, out: ChangeDiffEntry[]): void {
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[key] ?? null;
    const a = after[key] ?? null;
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(b) && isPlainObject(a)) walk(b, a, path, out);
    else if (canonicalize(b) !== canonicalize(a)) out.push({ path, before: b, after: a });
  }
}
