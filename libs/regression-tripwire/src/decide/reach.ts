import { AuthErrorCode, boundEngines, isBound, isRestricted, type Principal, WardenError } from '#platform';

/*
 * The tripwire's binding rules (docs/auth.md, "Bindings"): a tripwire can act on an engine, or on
 * every engine through the kill switch, so feeding or evaluating it is covered only when its reach
 * stays inside the caller's binding. Pure, built on the platform's engine/domain binding.
 */

/** What a tripwire on one domain+metric can do: its policy's action and target, or none yet. */
export interface TripwireReach {
  domain: string;
  metric: string;
  /** null: no policy for this domain+metric (yet). */
  action: 'THROTTLE' | 'KILL_SWITCH' | 'ALERT' | null;
  /** The engine a THROTTLE disables; a policy's default, and the target when there is no policy, is the domain. */
  target_engine: string;
}

/**
 * May this caller record KPI events that feed this tripwire? Covered when the domain is one of the
 * token's `domains` (the operator named it), else — never for a KILL_SWITCH tripwire, which halts
 * every engine — when the token is unbound, or its `engines` include the tripwire's target engine.
 */
export function assertTripwireFeedAllowed(principal: Principal, reach: TripwireReach): void {
  if (!isRestricted(principal)) return;
  if ((principal.domains ?? []).includes(reach.domain)) return;
  const what = `${reach.domain}/${reach.metric}`;
  if (reach.action === 'KILL_SWITCH') {
    throw WardenError.forbidden(
      AuthErrorCode.DomainNotBound,
      `tripwire ${what} engages the kill switch, halting every engine: only a token bound to domain ${reach.domain} may feed it (token '${principal.name}' is not)`,
    );
  }
  if (!isBound(principal)) return;
  if ((principal.engines ?? []).includes(reach.target_engine)) return;
  if (principal.engines !== null) {
    throw WardenError.forbidden(
      AuthErrorCode.EngineNotBound,
      `tripwire ${what} acts on engine ${reach.target_engine}: token '${principal.name}' is not bound to it`,
    );
  }
  throw WardenError.forbidden(AuthErrorCode.DomainNotBound, `token '${principal.name}' is not bound to domain ${reach.domain}`);
}

/**
 * May this caller evaluate this tripwire now (and so fire its action)? It must be covered as for
 * feeding, and the action must stay inside the token's own engines: a KILL_SWITCH tripwire is
 * always an operator's call; a THROTTLE of an engine the bound token is not bound to as well.
 */
export function assertTripwireEvaluateAllowed(principal: Principal, reach: TripwireReach): void {
  assertTripwireFeedAllowed(principal, reach);
  if (!isRestricted(principal)) return;
  const what = `${reach.domain}/${reach.metric}`;
  if (reach.action === 'KILL_SWITCH') {
    throw WardenError.forbidden(
      AuthErrorCode.Forbidden,
      `tripwire ${what} engages the kill switch: evaluating it is an operator's call ('operator' or above is required)`,
    );
  }
  const engines = boundEngines(principal);
  if (reach.action === 'THROTTLE' && engines && !engines.includes(reach.target_engine)) {
    throw WardenError.forbidden(
      AuthErrorCode.EngineNotBound,
      `tripwire ${what} throttles engine ${reach.target_engine}: token '${principal.name}' is not bound to it; an operator may evaluate it`,
    );
  }
}
