import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type Principal, SYSTEM_TOKEN_ID, WardenConfig } from '#platform';
import { ApprovalsErrors } from './approvals.errors.js';
import { ApprovalsRepository } from './approvals.repository.js';

/**
 * WARDEN_APPROVALS_MAX_PENDING_PER_REQUESTER: a requester with that many requests pending files no
 * more (429 too_many_pending_approvals, nothing written) until one is decided, expires or is
 * cancelled. Each request notifies every webhook and asks a person to read it; the limit stops one
 * token from flooding both. Warden's own filings (the Friday review, one per domain) are not held.
 */
@Injectable()
export class PendingRequestLimit {
  constructor(
    private readonly config: WardenConfig,
    private readonly repo: ApprovalsRepository,
  ) {}

  /** Call in the filing transaction, before the insert. */
  async admit(manager: EntityManager, principal: Principal, correlationId: string | null, now: Date): Promise<void> {
    if (principal.tokenId === SYSTEM_TOKEN_ID) return;
    const max = this.config.WARDEN_APPROVALS_MAX_PENDING_PER_REQUESTER;
    const { pending, retry } = await this.repo.pendingOf(manager, principal.name, correlationId, now);
    if (retry || pending < max) return;
    throw ApprovalsErrors.raise('too_many_pending_approvals', `${principal.name} has ${pending} approval requests pending (at most ${max}): wait for a decision, or cancel one`, {
      details: { pending, max },
    });
  }
}
