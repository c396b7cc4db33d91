import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type ApprovalResponseDto, ApprovalsService } from '#approvals';
import { Clock } from '#platform';
import { type ChangeView, type LiveOutcome, viewOf } from './change-view.js';
import { ChangesErrors } from './changes.errors.js';
import { type ChangeRow, ChangesRepository } from './changes.repository.js';

export const MAX_PAGE = 1000;

/** What a decided approval says of its request's outcome, in the change's vocabulary. */
export function outcomeOf(a: ApprovalResponseDto): LiveOutcome {
  const decisions = a.decisions ?? [];
  const by =
    a.status === 'approved'
      ? decisions.filter((d) => d.decision === 'approve').map((d) => d.approver).join(',') || null
      : a.status === 'rejected'
        ? (decisions.find((d) => d.decision === 'reject')?.approver ?? null)
        : a.status === 'cancelled'
          ? a.requested_by
          : null;
  return { status: a.status, by, at: a.decided_at ? new Date(a.decided_at) : a.status === 'expired' ? new Date(a.expires_at) : null };
}

/**
 * Reads of stored changes. A pending row learns its approval's outcome from approvals' decided
 * events (ChangeDecisionsService); until that lands, a reader asks approvals directly, so a decision
 * (or an expiry) is seen at once by every reader.
 */
@Injectable()
export class ChangeReadsService {
  constructor(
    private readonly repo: ChangesRepository,
    private readonly approvals: ApprovalsService,
    private readonly clock: Clock,
  ) {}

  async row(id: string, m?: EntityManager, lock = false): Promise<ChangeRow> {
    const row = await this.repo.find(id, m, lock);
    if (!row) throw ChangesErrors.raise('change_not_found', `no change request ${id}`);
    return row;
  }

  /** The outcome approvals holds for a pending row, or null when the row needs no asking. */
  async live(row: ChangeRow, m?: EntityManager): Promise<LiveOutcome | null> {
    if (row.status !== 'pending' || !row.approval_id) return null;
    if (row.expires_at && new Date(row.expires_at) <= this.clock.now()) return null;
    return outcomeOf(await this.approvals.get(row.approval_id, m));
  }

  async view(row: ChangeRow, m?: EntityManager): Promise<ChangeView> {
    return viewOf(row, this.clock.now(), await this.live(row, m));
  }

  async get(id: string): Promise<ChangeView> {
    return this.view(await this.row(id));
  }

  /** Autopack's GET /governance/pending: the held, undecided requests, newest first. */
  async pending(limit: number, runId?: string): Promise<{ count: number; pending_requests: ChangeView[] }> {
    const rows = await this.repo.pending(Math.min(limit, MAX_PAGE), runId);
    const views = await Promise.all(rows.map((r) => this.view(r)));
    const pending = views.filter((v) => v.status === 'pending');
    return { count: pending.length, pending_requests: pending };
  }

  /** Autopack's GET /governance/history?run_id=: every request of the run (or all), newest first, pages by `before`. */
  async history(runId: string | null, limit: number, before: string | null) {
    const n = Math.min(limit, MAX_PAGE);
    const rows = await this.repo.history(n + 1, runId, before);
    const page = rows.slice(0, n);
    const requests = await Promise.all(page.map((r) => this.view(r)));
    return { run_id: runId, count: requests.length, requests, next_before: rows.length > n ? page[page.length - 1].seq : null };
  }
}
