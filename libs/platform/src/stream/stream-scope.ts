import { isBound } from '../auth/binding.js';
import type { Principal } from '../auth/principal.js';

/**
 * Who may see an event or a snapshot item. Every field left out widens nothing: an event with no
 * scope is everyone's (the kill switch); `engines` narrows it to tokens bound to one of them (and
 * the unbound), `domains` likewise for Heimdall domains, `principal` to that one caller (the
 * decision on its own approval request), whatever its role.
 */
export interface StreamScope {
  engines?: readonly string[];
  domains?: readonly string[];
  principal?: string;
}

/** The subscriber's side of the rule: what its token's binding covers (docs/auth.md "Bindings"). */
export interface StreamAudience {
  /** The principal's name: the one that sees the events scoped to it. */
  name: string;
  /** null = every engine (operator, admin, an unbound engine token). */
  engines: readonly string[] | null;
  /** null = every domain. */
  domains: readonly string[] | null;
}

export function audienceOf(principal: Principal): StreamAudience {
  const bound = isBound(principal);
  return {
    name: principal.name,
    // Fail closed as the binding does: a token bound to domains only is bound to no engine.
    engines: bound ? (principal.engines ?? []) : null,
    domains: bound ? (principal.domains ?? []) : null,
  };
}

/** Whether `audience` sees what `scope` describes: every dimension the scope names must admit it. */
export function sees(audience: StreamAudience, scope: StreamScope | undefined): boolean {
  if (!scope) return true;
  if (scope.principal !== undefined && scope.principal !== audience.name) return false;
  if (scope.engines && audience.engines && !scope.engines.some((e) => audience.engines!.includes(e))) return false;
  if (scope.domains && audience.domains && !scope.domains.some((d) => audience.domains!.includes(d))) return false;
  return true;
}
