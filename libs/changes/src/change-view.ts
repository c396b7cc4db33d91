import type { ChangeAnswer, ChangeStatus } from './decide/answer.js';
import type { ChangeRow } from './changes.repository.js';

/** A stored request as every reader sees it now: the stored answer, its per-request fields, its outcome. */
export interface ChangeView extends ChangeAnswer {
  /** The principal whose token filed it (it and its person cannot decide it). */
  requested_by: string;
  decided_at: string | null;
  decision_reason: string | null;
  break_glass?: { by: string; reason: string; at: string; review_approval_id: string; review_status: string | null; review_closed_by: string | null; review_closed_at: string | null };
}

/** What approvals says of the request's approval now, when the row has not heard it yet. */
export interface LiveOutcome {
  status: Exclude<ChangeStatus, 'break_glass'>;
  by: string | null;
  at: Date | null;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/** The effective status: a pending request past expires_at reads expired at once (expiry is rejection), as approvals reads it. */
export function effectiveStatus(row: ChangeRow, now: Date, live?: LiveOutcome | null): { status: ChangeStatus; by: string | null; at: Date | null } {
  if (row.status !== 'pending') return { status: row.status, by: row.approved_by, at: row.decided_at };
  if (live && live.status !== 'pending') return live;
  if (row.expires_at && new Date(row.expires_at).getTime() <= now.getTime()) return { status: 'expired', by: null, at: row.expires_at };
  return { status: 'pending', by: null, at: null };
}

export function approvedOf(status: ChangeStatus): boolean | null {
  return status === 'approved' || status === 'break_glass' ? true : status === 'pending' ? null : false;
}

export function viewOf(row: ChangeRow, now: Date, live?: LiveOutcome | null): ChangeView {
  const e = effectiveStatus(row, now, live);
  const held = !row.auto_approved;
  const view: ChangeView = {
    ...row.answer,
    request_id: row.id,
    approved: approvedOf(e.status),
    approved_by: e.status === 'pending' ? null : e.by,
    ...(held ? { approval_id: row.approval_id } : {}),
    status: e.status,
    created_at: iso(row.created_at),
    ...(held ? { expires_at: iso(row.expires_at) } : {}),
    decided_at: iso(e.at),
    decision_reason: e.status === row.status ? row.decision_reason : null,
    requested_by: row.requested_by,
  };
  if (row.break_glass_at) {
    view.break_glass = {
      by: row.break_glass_by!,
      reason: row.break_glass_reason!,
      at: iso(row.break_glass_at)!,
      review_approval_id: row.review_approval_id!,
      review_status: row.review_status,
      review_closed_by: row.review_closed_by,
      review_closed_at: iso(row.review_closed_at),
    };
  }
  return view;
}
