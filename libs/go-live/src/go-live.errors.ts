import { defineErrors } from '#platform';

/** Every error code of the go-live lever and its HTTP status, in one table. */
export const GoLiveErrors = defineErrors({
  validation_failed: 400,
  /** A computed checklist item (backend_complete, required_packs_installed) cannot be attested. */
  unknown_checklist_item: 400,
  /** The admission hook: go-live is off (enforced environments) or the kill switch is engaged. */
  go_live_disabled: 403,
  kill_switch_engaged: 403,
  /** POST /go-live/enable while the checklist is not complete (details: the checklist). */
  checklist_failed: 412,
  /** The control-plane row cannot be read within its staleness bound: fail closed. */
  governance_unavailable: 503,
});

export type GoLiveErrorCode = keyof typeof GoLiveErrors.codes;

