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
  /**
   * Who acts behind it, compared by approvals (docs/auth.md, "Persons"): `token:<owner>` (lower
   * case) for a token, `oidc:<issuer>#<subject>` for a console user signed in through the OpenID
   * provider (whose tokenId is that same string: it has no token) and for the tokens that person
   * made, `system` for Warden, `cli:<user>` for the local CLI. Absent: see personOf.
   */
  person?: string;
}

/** A token's person: its IdP person when one made it for itself, else `token:` and its owner, compared case-insensitively like token names. */
export function tokenPerson(owner: string, ownerPerson?: string | null): string {
  return ownerPerson ?? `token:${owner.trim().toLowerCase()}`;
}

export const OIDC_PERSON_PREFIX = 'oidc:';

/** The person the OpenID provider vouches for: its issuer and subject, exactly (subjects are case-sensitive and unique per issuer). */
export function oidcPerson(issuer: string, subject: string): string {
  return `${OIDC_PERSON_PREFIX}${issuer}#${subject}`;
}

/**
 * The person behind a principal. Principals built from a token or a session carry it; Warden's own
 * (token id `system`) are `system`; any other (the CLI's) is its name.
 */
export function personOf(principal: Principal): string {
  if (principal.person) return principal.person;
  return principal.tokenId === SYSTEM_TOKEN_ID ? 'system' : principal.name;
}

/** The token id recorded for acts Warden takes on its own (jobs, tripwires, migrations). */
export const SYSTEM_TOKEN_ID = 'system';

/** The principal used for actions Warden takes on its own (jobs, tripwires). */
export const SYSTEM_PRINCIPAL: Principal = { tokenId: SYSTEM_TOKEN_ID, name: 'system', role: 'admin', engines: null, domains: null, person: 'system' };

/**
 * Names no token may take (compared case-insensitively): every name Warden records for its own
 * acts — `system` (jobs, expiry sweeps, migrations), every lever's name (a lever that acts on its own,
 * as the tripwire throttles, acts under it; passed in as `leverNames`), `bootstrap` (the bootstrap admin token, named by Warden itself), `cli:<user>` (the local
 * CLI), `oidc:` (console users signed in through the OpenID provider) — and the names an operator
 * would read as Warden's own.
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
const RESERVED_PREFIXES = ['cli:', 'system:', 'system-', 'bootstrap-', 'bootstrap#', 'warden:', 'oidc:'];

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
