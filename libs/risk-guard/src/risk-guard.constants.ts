/** The shared scope every engine's reservation also counts on. */
export const GLOBAL_ENGINE = 'GLOBAL';

/** An engine name as the ledger keys it. */
export const ENGINE_NAME = /^[A-Z0-9_]{1,32}$/;

/** The approved act (and its kind) that applies a change request of a risk policy (WARDEN_CHANGE_REQUESTS: risk.policy). */
export const RISK_POLICY_CHANGE = 'risk_policy_change';

/** A risk policy's audit subject, lock name and change-request subject. */
export const riskPolicySubject = (engine: string): string => `risk_policy:${engine}`;
