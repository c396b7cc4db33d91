import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, Clock, type Principal, type WardenError } from '#platform';
import { ApprovalsErrors } from './approvals.errors.js';
import { ApprovalsMetrics } from './approvals.metrics.js';
import { type ApprovalRow, ApprovalsRepository } from './approvals.repository.js';

export interface ConsumeInput {
  id: string;
  kind: string;
  payloadDigest: string;
  /** Who consumes: audited as `approval.consume` when a principal (a plain name is not audited). */
  by: Principal | string;
  /** Only this principal may consume (the HTTP route passes its caller). */
  requester?: Principal;
  /** The act consuming it (null: a caller consuming a plain grant). */
  act: string | null;
}

/** Consuming a grant, once, in the caller's transaction: for callers of a plain grant and for the act runner alike. */
@Injectable()
export class ApprovalGrantsService {
  constructor(
    private readonly repo: ApprovalsRepository,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly metrics: ApprovalsMetrics,
  ) {}

  /** Throws `grant_not_consumable` (409; `approval_not_found` 404) unless this very consume is the first of an approved grant. */
  async consume(manager: EntityManager, input: ConsumeInput): Promise<ApprovalRow> {
    const now = this.clock.now();
    const name = typeof input.by === 'string' ? input.by : input.by.name;
    const row = await this.repo.consume(manager, { id: input.id, kind: input.kind, payloadDigest: input.payloadDigest, now, by: name, requester: input.requester?.name, act: input.act });
    if (!row) throw await this.whyNotConsumable(manager, input);
    if (typeof input.by !== 'string') {
      const details = { kind: input.kind, payload_digest: input.payloadDigest, ...(input.act ? { act: input.act, lever: row.lever } : {}) };
      await this.audit.record(manager, input.by, { action: 'approval.consume', subject: `approval:${input.id}`, details });
    }
    this.metrics.decisions.inc({ kind: input.kind, outcome: 'consumed' });
    return row;
  }

  private async whyNotConsumable(manager: EntityManager, input: ConsumeInput): Promise<WardenError> {
    const row = await this.repo.find(input.id, this.clock.now(), manager);
    if (!row) return ApprovalsErrors.raise('approval_not_found', `no approval request ${input.id}`);
    const why =
      row.kind !== input.kind ? `it was granted for kind ${row.kind}, not ${input.kind}`
      : row.payload_digest !== input.payloadDigest ? 'it was granted for another payload (digest differs): a changed act needs a new request'
      : row.status !== 'approved' ? `it is ${row.status}, not approved`
      : row.consumed_at ? `it was already consumed at ${new Date(row.consumed_at).toISOString()}`
      : row.act !== input.act ? (row.act ? `it is consumed only by its act (${row.lever}: ${row.act})` : 'it was filed for no act')
      : input.requester && row.requested_by !== input.requester.name ? 'only its requester may consume it'
      : 'it changed concurrently';
    return ApprovalsErrors.raise('grant_not_consumable', `approval ${input.id} cannot be consumed: ${why}`, { details: { status: row.status, consumed_at: row.consumed_at } });
  }
}
