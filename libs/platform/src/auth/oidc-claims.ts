import { type Role, ROLES } from './principal.js';

/**
 * Reads a claim by name, or by a dotted path when no claim has that exact name (Keycloak's
 * `realm_access.roles`). Pure: the claims come from a validated ID token or userinfo response.
 */
export function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(claims, name)) return claims[name];
  let at: unknown = claims;
  for (const part of name.split('.')) {
    if (!at || typeof at !== 'object' || Array.isArray(at) || !Object.prototype.hasOwnProperty.call(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/** The groups a claim value names: a list of strings, or one string (one group). Anything else names none. */
export function groupsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

export interface MappedRole {
  role: Role;
  /** The person's groups that are mapped, sorted (recorded on the sign-in's audit row). */
  matched: string[];
}

/**
 * The role a person's groups give: the highest mapped one (groups compared exactly, as the IdP
 * spells them). No mapped group: null, and the person does not get in (fail closed).
 */
export function mapRole(groups: readonly string[], mapping: ReadonlyMap<string, Role>): MappedRole | null {
  const matched = [...new Set(groups.filter((g) => mapping.has(g)))].sort();
  if (matched.length === 0) return null;
  const role = matched.map((g) => mapping.get(g)!).reduce((a, b) => (ROLES.indexOf(b) > ROLES.indexOf(a) ? b : a));
  return { role, matched };
}

/** What the console shows and records as the person's name: a readable claim, printable, at most 100 characters. */
export function displayName(claims: Record<string, unknown>): string {
  for (const key of ['preferred_username', 'email', 'name', 'sub']) {
    const value = claims[key];
    if (typeof value !== 'string') continue;
    const clean = value.replace(/[\p{Cc}\p{Cf}]/gu, '').trim().slice(0, 100);
    if (clean) return clean;
  }
  return 'unknown';
}
