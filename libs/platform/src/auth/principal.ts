export const ROLES = ['viewer', 'engine', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Roles are ordered: each may do everything the one before it may. */
export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/**
 * Who is calling: the token's id and name, role and optional engine/domain binding (null = not
 * given). The audit trail records the name with the token id, so a name alone never identifies
 * an actor.
 */
export interface Principal {
  /** The api_token id; `system` for Warden's own acts, `cli` for the local CLI. */
  tokenId: string;
  name: string;
  role: Role;
  engines: string[] | null;
  domains: string[] | null;
  /**
   * The gate identities (`context.identity`) an engine token may claim besides its own name; null
   * or absent: only its own name. Never read for other roles (they may claim any).
   */
  identities?: string[] | null;
}

/** The token id recorded for acts Warden takes on its own (jobs, tripwires, migrations). */
export const SYSTEM_TOKEN_ID = 'system';

/** The principal used for actions Warden takes on its own (jobs, tripwires). */
export const SYSTEM_PRINCIPAL: Principal = { tokenId: SYSTEM_TOKEN_ID, name: 'system', role: 'admin', engines: null, domains: null };

/**
 * Names no token may take (compared case-insensitively): every name Warden records for its own
 * acts — `system` (jobs, expiry sweeps, migrations), every lever's name (a lever that acts on its own,
 * as the tripwire throttles, acts under it; passed in as `leverNames`), `bootstrap` (the bootstrap admin token, named by Warden itself), `cli:<user>` (the local
 * CLI) — and the names an operator would read as Warden's own.
 */
export const RESERVED_TOKEN_NAMES = [
  'system',
  'bootstrap',
  'tripwire',
  'warden',
  'scheduler',
  'job',
  'jobs',
  'cli',
  'admin',
  'root',
  'operator',
  'anonymous',
  'unknown',
] as const;
const RESERVED_PREFIXES = ['cli:', 'system:', 'system-', 'bootstrap-', 'bootstrap#', 'warden:'];

/**
 * A token name: ASCII letters, digits and `._@+-` or inner spaces, up to 100 characters. Plain
 * ASCII so that no look-alike (a Cyrillic "ѕystem", a zero-width space) passes for another name.
 */
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9 ._@+-]{0,98}[A-Za-z0-9._@+-])?$/;

/** A gate identity as intents carry it in context.identity: trimmed, 1-200 printable characters, no '/'. */
export const IDENTITY_PATTERN = /^[^\s/\p{Cc}][^/\p{Cc}]{0,199}$/u;

export function isReservedTokenName(name: string, leverNames: readonly string[] = []): boolean {
  const n = name.trim().toLowerCase();
  return (
    (RESERVED_TOKEN_NAMES as readonly string[]).includes(n) ||
    leverNames.includes(n) ||
    [...RESERVED_PREFIXES, ...leverNames.map((l) => `${l}:`)].some((p) => n.startsWith(p))
  );
}

export * from './binding.js';
export * from './auth.errors.js';
