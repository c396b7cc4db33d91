/** The shared scope every engine's reservation also counts on. */
export const GLOBAL_ENGINE = 'GLOBAL';

/** An engine name as the ledger keys it. */
export const ENGINE_NAME = /^[A-Z0-9_]{1,32}$/;
