import { defineErrors } from '#platform';

/** The change lever's error codes and their statuses (the `error` field of the error body). */
export const ChangesErrors = defineErrors({
  /** Bad change input: `reason_codes` names every problem (path_climbs_out, too_many_paths, ...), `details.fields` each by field. */
  invalid_change: 400,
  invalid_policy: 400,
  policy_too_large: 400,
  engine_required: 400,
  change_not_found: 404,
  policy_version_not_found: 404,
  /** A bound engine token filing for a run that belongs to another engine (or to none). */
  run_not_owned: 403,
  run_engine_mismatch: 409,
  /** Decided already (auto-approved at birth, approved, denied, expired, let through by break-glass): it never changes. */
  change_not_pending: 409,
});
export type ChangesErrorCode = keyof typeof ChangesErrors.codes;
