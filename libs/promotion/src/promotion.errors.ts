import { defineErrors } from '#platform';
import { PromotionInputError } from './decide/types.js';

/** The promotion review's error codes and their statuses (the `error` field of the error body). */
export const PromotionErrors = defineErrors({
  invalid_scorecard: 400,
  invalid_policy: 400,
  invalid_rule_file: 400,
  rule_compile_error: 400,
  /** An override that is malformed, unsigned, badly signed, marked used, or given while no WARDEN_OVERRIDE_KEY is set. Audited. */
  override_invalid: 403,
  /** An override whose signature was used before (however the file was copied or re-formatted). Audited. */
  override_replayed: 409,
});
export type PromotionErrorCode = keyof typeof PromotionErrors.codes;

const OVERRIDE_CODES = new Set(['invalid_override', 'override_bad_signature', 'override_already_used']);

/** The evaluator's input errors as HTTP errors: every override problem is `override_invalid` (403), its reason in `details.reason`. */
export function fromInputError(err: PromotionInputError) {
  if (OVERRIDE_CODES.has(err.code)) return PromotionErrors.raise('override_invalid', err.message, { details: { reason: err.code, ...err.details } });
  return PromotionErrors.raise(err.code as Exclude<PromotionErrorCode, 'override_invalid' | 'override_replayed'>, err.message, { details: err.details });
}

/** Runs `fn`, turning the evaluator's PromotionInputError into the lever's HTTP error. */
export function asHttpInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PromotionInputError) throw fromInputError(err);
    throw err;
  }
}
