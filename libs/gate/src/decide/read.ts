import { GateInputError } from './input-error.js';

/** Strict readers for decoded YAML/JSON: wrong types are invalid input, null counts as absent (Go zero value). */
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function obj(v: unknown, field: string): Obj {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new GateInputError(`${field} must be an object`, field);
  return v;
}

export function str(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new GateInputError(`${field} must be a string`, field);
  return v;
}

export function bool(v: unknown, field: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new GateInputError(`${field} must be a boolean`, field);
  return v;
}

export function int(v: unknown, field: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new GateInputError(`${field} must be an integer`, field);
  return v;
}

export function strList(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new GateInputError(`${field} must be a list of strings`, field);
  return v.map((x, i) => str(x, `${field}[${i}]`));
}

export function list(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new GateInputError(`${field} must be a list`, field);
  return v;
}

/**
 * gait's seed decodes policies leniently: a key it does not know is ignored. Warden ignores it too
 * and says so in `warnings`. `unsupported` are later-gait keys whose conditions Warden does not
 * evaluate: ignoring one would change a verdict silently (a matcher ignored widens a rule), so
 * they are refused.
 */
export function onlyKeys(o: Obj, field: string, allowed: readonly string[], unsupported: readonly string[], warnings: string[]): void {
  for (const key of Object.keys(o)) {
    if (allowed.includes(key)) continue;
    const at = field ? `${field}.${key}` : key;
    if (unsupported.includes(key)) {
      if (o[key] === null || o[key] === undefined) continue;
      throw new GateInputError(`${at} is a gait field Warden does not evaluate; ignoring it would change the verdict silently, so remove it`, at);
    }
    warnings.push(`ignored unknown key ${at}`);
  }
}
