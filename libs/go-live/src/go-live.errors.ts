/** Error codes of the go-live lever. */
export const GoLiveErrorCode = {
  GoLiveDisabled: 'go_live_disabled',
  KillSwitchEngaged: 'kill_switch_engaged',
  ChecklistFailed: 'checklist_failed',
  GovernanceUnavailable: 'governance_unavailable',
  UnknownChecklistItem: 'unknown_checklist_item',
} as const;
