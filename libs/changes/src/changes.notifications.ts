import type { Notification } from '#platform';
import type { ChangeRow } from './changes.repository.js';

/** Where a person looks: the console's approvals queue (break-glass reviews, held changes). */
export const CONSOLE_LINK = '/console/approvals';
export const CHANGE_TOPICS = { autoApproved: 'change.auto_approved', breakGlass: 'change.break_glass' } as const;

const shown = (paths: readonly string[]) => (paths.length <= 5 ? paths.join(', ') : `${paths.slice(0, 5).join(', ')} and ${paths.length - 5} more`);

function summary(row: ChangeRow): Record<string, unknown> {
  const a = row.answer;
  return {
    request_id: row.id,
    run_id: row.run_id,
    phase_id: row.phase_id,
    engine: row.engine,
    tier: row.tier,
    risk_level: row.risk_level,
    paths: a.requested_paths.slice(0, 50),
    path_count: a.requested_paths.length,
    diff_stats: a.diff_stats,
    reason_codes: a.reason_codes,
    risk_score: a.risk_score,
    requested_by: row.requested_by,
    link: CONSOLE_LINK,
  };
}

/** Tier 2, "notify + proceed": the change went ahead; someone should know. */
export function autoApprovedNotification(row: ChangeRow): Notification {
  return {
    topic: CHANGE_TOPICS.autoApproved,
    subject: `change:${row.id}`,
    body: summary(row),
    text: `:information_source: Change auto-approved with notice (tier 2, ${row.risk_level}): run ${row.run_id} phase ${row.phase_id} by ${row.requested_by} — ${shown(row.answer.requested_paths)} (${row.answer.reason_codes.join(', ')}). ${CONSOLE_LINK}`,
  };
}

/** A held change let through by one operator: at once, with the review a second operator must close. */
export function breakGlassNotification(row: ChangeRow): Notification {
  return {
    topic: CHANGE_TOPICS.breakGlass,
    subject: `change:${row.id}`,
    body: { ...summary(row), break_glass_by: row.break_glass_by, reason: row.break_glass_reason, review_approval_id: row.review_approval_id, at: row.break_glass_at?.toISOString?.() ?? row.break_glass_at },
    text: `:rotating_light: BREAK-GLASS: ${row.break_glass_by} let held change ${row.id} through (tier ${row.tier}, ${row.risk_level}; run ${row.run_id} phase ${row.phase_id}): ${row.break_glass_reason} — ${shown(row.answer.requested_paths)}. A second operator must close review ${row.review_approval_id}: ${CONSOLE_LINK}`,
  };
}
