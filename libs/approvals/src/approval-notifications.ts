import type { Notification } from '#platform';
import type { ApprovalRow } from './approvals.repository.js';

/** The notifications of one request share its subject, so they arrive in the order they happened. */
export const approvalSubject = (id: string) => `approval:${id}`;

function summary(row: ApprovalRow): Record<string, unknown> {
  return {
    approval_id: row.id,
    kind: row.kind,
    subject: row.subject,
    status: row.status,
    risk_level: row.risk_level,
    min_approvals: row.min_approvals,
    requested_by: row.requested_by,
    reason: row.reason,
    payload_digest: row.payload_digest,
    expires_at: new Date(row.expires_at).toISOString(),
  };
}

export function requestedNotification(row: ApprovalRow): Notification {
  return {
    topic: 'approval.requested',
    subject: approvalSubject(row.id),
    body: summary(row),
    text: `:warning: Approval needed (${row.risk_level}): ${row.kind} ${row.subject} requested by ${row.requested_by}: ${row.reason} — id ${row.id}, expires ${new Date(row.expires_at).toISOString()}`,
  };
}

export function decidedNotification(row: ApprovalRow, by: string, reason: string | null): Notification {
  const icon = row.status === 'approved' ? ':white_check_mark:' : row.status === 'rejected' ? ':x:' : ':heavy_minus_sign:';
  return {
    topic: row.status === 'expired' ? 'approval.expired' : 'approval.decided',
    subject: approvalSubject(row.id),
    body: { ...summary(row), decided_by: by, decision_reason: reason },
    text: `${icon} Approval ${row.status}: ${row.kind} ${row.subject} (id ${row.id}) by ${by}${reason ? `: ${reason}` : ''}`,
  };
}
