import { WardenError } from '../errors/warden-error.js';
import { AuthErrorCode } from './auth.errors.js';
import type { Principal } from './principal.js';

/**
 * How an engine token's binding covers what it may act on (docs/auth.md, "Bindings"). Pure
 * functions: the services look up what they need and ask here; a lever with rules of its own (the
 * tripwire's reach) builds them from these in its own library.
 *
 * Only `engine` tokens are ever restricted: a binding on any other role is refused at creation.
 * A token is *bound* when it was given `engines` or `domains` (even only one of them): a bound
 * token may act only inside its binding, in every dimension (fail closed: a token bound to
 * domains only is bound to no engine).
 */

export function isRestricted(principal: Principal): boolean {
  return principal.role === 'engine';
}

export function isBound(principal: Principal): boolean {
  return isRestricted(principal) && (principal.engines !== null || principal.domains !== null);
}

/** The engines this caller may act on: null = every engine (unbound engine token, operator, admin). */
export function boundEngines(principal: Principal): string[] | null {
  return isBound(principal) ? (principal.engines ?? []) : null;
}

/** Risk guard: reserve, settle, what-if. */
export function assertEngineAllowed(principal: Principal, engine: string): void {
  const engines = boundEngines(principal);
  if (engines && !engines.includes(engine)) {
    throw WardenError.forbidden(AuthErrorCode.EngineNotBound, `token '${principal.name}' is not bound to engine ${engine}`);
  }
}

/**
 * Heimdall (trials, recommendations, production checks): the domain must be one of the token's
 * `domains`. An engine binding alone covers no Heimdall domain — Heimdall domains are AI domains
 * (WHOLESALE_OFFER, CAPITAL_ROUTE), not engines, so there is no owner to derive.
 */
export function assertDomainAllowed(principal: Principal, domain: string): void {
  if (isBound(principal) && !(principal.domains ?? []).includes(domain)) {
    throw WardenError.forbidden(AuthErrorCode.DomainNotBound, `token '${principal.name}' is not bound to domain ${domain}`);
  }
}

/**
 * The gate identities (`context.identity`) this caller may claim: null = any (operator, admin).
 * An engine token claims its own name and the `identities` it was created with, and nothing else,
 * whether or not it is bound to engines or domains: identities are their own dimension, so they
 * neither make a token bound nor does an engine binding widen them. A rule keyed on an identity
 * (trust, policy `identities`) is only as strong as this check.
 */
export function claimableIdentities(principal: Principal): string[] | null {
  return isRestricted(principal) ? [principal.name, ...(principal.identities ?? [])] : null;
}

/** The gate: an intent's claimed identity, and the identity outcomes are recorded against. Exact match. */
export function assertIdentityAllowed(principal: Principal, identity: string): void {
  const identities = claimableIdentities(principal);
  if (identities && !identities.includes(identity)) {
    throw WardenError.forbidden(AuthErrorCode.IdentityNotBound, `token '${principal.name}' is not bound to identity ${identity}`);
  }
}
