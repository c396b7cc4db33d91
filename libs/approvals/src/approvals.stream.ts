import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { StreamEvents, StreamService } from '#platform';
import type { ApprovalRow } from './approvals.repository.js';
import { APPROVALS } from './approvals.lever.js';

const TYPE: Partial<Record<ApprovalRow['status'], string>> = {
  approved: 'approval.approved',
  rejected: 'approval.rejected',
  expired: 'approval.expired',
  cancelled: 'approval.cancelled',
};

/**
 * Approvals on the control-state stream (docs/stream.md): the outcome of a request, seen only by its
 * requester (an engine waiting on its gate intent, an operator on a release). No snapshot section:
 * a request is not control state; a client that (re)subscribes reads the one it waits on once.
 */
@Injectable()
@StreamEvents(APPROVALS, Object.values(TYPE) as string[])
export class ApprovalsStream {
  constructor(private readonly stream: StreamService) {}

  /** A request left `pending`, in the transaction that decided, cancelled or expired it. */
  async decided(manager: EntityManager, row: ApprovalRow, by: string, reason: string | null): Promise<void> {
    const type = TYPE[row.status];
    if (!type) return;
    await this.stream.publish(manager, APPROVALS, {
      type,
      scope: { principal: row.requested_by },
      data: { approval_id: row.id, kind: row.kind, subject: row.subject, status: row.status, decided_by: by, reason, requested_by: row.requested_by },
    });
  }
}
