import type { Notification } from '#platform';
import type { GoLiveStateRow } from './go-live.repository.js';

/** What a change was, for its audit action, metric outcome and notification topic. */
export type GoLiveChange = 'enable' | 'disable' | 'kill_switch.engage' | 'kill_switch.release';

const TOPIC: Record<GoLiveChange, { topic: string; subject: string; text: (by: string, reason: string) => string }> = {
  enable: { topic: 'go_live.enabled', subject: 'go_live', text: (by, r) => `:white_check_mark: Go-live enabled by ${by}${r}` },
  disable: { topic: 'go_live.disabled', subject: 'go_live', text: (by, r) => `:no_entry: Go-live disabled by ${by}${r}` },
  'kill_switch.engage': { topic: 'kill_switch.engaged', subject: 'kill_switch', text: (by, r) => `:rotating_light: Kill switch engaged by ${by}${r}` },
  'kill_switch.release': { topic: 'kill_switch.released', subject: 'kill_switch', text: (by, r) => `:large_green_circle: Kill switch released by ${by}${r}` },
};

/** The notification of a committed change (enqueued in the change's transaction). */
export function changeNotification(change: GoLiveChange, row: GoLiveStateRow, extra: Record<string, unknown> = {}): Notification {
  const t = TOPIC[change];
  return {
    topic: t.topic,
    subject: t.subject,
    body: {
      go_live_enabled: row.go_live_enabled,
      kill_switch_engaged: row.kill_switch_engaged,
      changed_by: row.changed_by,
      reason: row.reason,
      at: new Date(row.updated_at).toISOString(),
      ...extra,
    },
    text: t.text(row.changed_by, row.reason ? `: ${row.reason}` : ''),
  };
}
