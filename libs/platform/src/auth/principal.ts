import { WardenError } from '../errors/warden-error.js';

export const ROLES = ['viewer', 'engine', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Roles are ordered: each may do everything the one before it may. */
export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** Who is calling: the token's name, role and optional engine/domain binding (null = unbound). */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
  engines: string[] | null;
  domains: string[] | null;
}

/** The principal used for actions Warden takes on its own (jobs, tripwires). */
export const SYSTEM_PRINCIPAL: Principal = { tokenId: 'system', name: 'system', role: 'admin', engines: null, domains: null };

/** An engine-bound token may act only on its engines; operators and admins are never bound. */
export function assertEngineAllowed(principal: Principal, engine: string): void {
  if (principal.role === 'engine' && principal.engines && !principal.engines.includes(engine)) {
    throw WardenError.forbidden('engine_not_bound', `token '${principal.name}' is not bound to engine ${engine}`);
  }
}

export function assertDomainAllowed(principal: Principal, domain: string): void {
  if (principal.role === 'engine' && principal.domains && !principal.domains.includes(domain)) {
    throw WardenError.forbidden('domain_not_bound', `token '${principal.name}' is not bound to domain ${domain}`);
  }
}
