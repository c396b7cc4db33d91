import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { backoffMs, Clock, CoalescedRun, NotifyListener, SYSTEM_PRINCIPAL } from '#platform';
import { ApprovalActsRegistry } from './approval-acts.registry.js';
import { ApprovalGrantsService } from './approval-grants.service.js';
import { type DecidedEventRow, ApprovalsRepository } from './approvals.repository.js';
import type { ApprovalKind, ApprovalStatus } from './decide/rules.js';
import { ApprovalResponseDto } from './dto/approval.dto.js';

export const APPROVAL_DECIDED_CHANNEL = 'warden_approval_decided';
const POLL_MS = 1000;

/** What the requesting lever's handler receives. */
export interface DecidedApproval {
  approval: ApprovalResponseDto;
  status: Exclude<ApprovalStatus, 'pending'>;
  /** 1 on the first delivery; more after a failed or interrupted attempt. */
  attempt: number;
}

export type DecidedHandler = (event: DecidedApproval, manager: EntityManager) => Promise<void>;

/**
 * Delivers decided events. The event row is written by the statement that decided the request; here
 * one row at a time is locked (SKIP LOCKED, so instances share the queue) and marked handled in the
 * transaction that handles it. A request filed for an act (approval_request.act) runs that act:
 * approved, its grant is consumed and the act's effect runs, all in that one transaction (so the act
 * runs exactly once; a failure rolls back the consumption too and the event is retried with
 * backoff); rejected, expired or cancelled, nothing runs. A plain request goes to its kind's
 * onDecided handler, if any (none: it is only marked handled). Woken by NOTIFY on commit, and every second for retries.
 */
@Injectable()
export class ApprovalEventsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('approvals');
  private readonly handlers = new Map<ApprovalKind, DecidedHandler>();
  private started = false;
  private stopped = false;
  private readonly drains = new CoalescedRun(
    () => this.drain(),
    (err: unknown) => this.logger.warn(`decided-event drain failed: ${String(err)}`),
  );
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: ApprovalsRepository,
    private readonly listener: NotifyListener,
    private readonly clock: Clock,
    private readonly registry: ApprovalActsRegistry,
    private readonly grants: ApprovalGrantsService,
  ) {}

  register(kind: ApprovalKind, handler: DecidedHandler): void {
    if (this.handlers.has(kind)) throw new Error(`a decided handler for ${kind} is already registered`);
    this.handlers.set(kind, handler);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Every act is defined by now (discovered in onModuleInit): check WARDEN_TWO_PERSON against them.
    this.registry.seal();
    await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.drains.settled();
  }

  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.listener.subscribe(APPROVAL_DECIDED_CHANNEL, () => this.kick());
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
    this.kick();
  }

  kick(): void {
    if (this.stopped || !this.started) return;
    this.drains.kick();
  }

  /** Handles due events until none is left (exposed for tests). */
  async drain(): Promise<void> {
    while (!this.stopped && (await this.handleOne())) {
      // next
    }
  }

  private async handleOne(): Promise<boolean> {
    let claimed: { approval_id: string; attempts: number } | undefined;
    try {
      return await this.dataSource.transaction(async (manager) => {
        const event = await this.repo.claimDecidedEvent(manager, this.registry.actNames());
        if (!event) return false;
        claimed = event;
        const handler = this.handlers.get(event.kind);
        if (event.act) await this.runAct(event, manager);
        else if (handler) {
          const row = await this.repo.find(event.approval_id, this.clock.now(), manager);
          const decisions = await this.repo.decisions(event.approval_id, manager);
          await handler({ approval: ApprovalResponseDto.from(row!, decisions), status: event.status as DecidedApproval['status'], attempt: event.attempts + 1 }, manager);
        }
        await this.repo.markEventHandled(manager, event.approval_id);
        return true;
      });
    } catch (err) {
      if (!claimed) throw err;
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn(`decided handler for approval ${claimed.approval_id} failed (attempt ${claimed.attempts + 1}): ${message}`);
      await this.repo.markEventFailed(claimed.approval_id, backoffMs(claimed.attempts + 1), message);
      return true;
    }
  }

  /** Only an approval runs the act: the grant is consumed by the act (not by any caller) and the effect follows, in `manager`'s transaction. */
  private async runAct(event: DecidedEventRow, manager: EntityManager): Promise<void> {
    if (event.status !== 'approved') return;
    const act = this.registry.act(event.act!)!;
    const row = await this.repo.find(event.approval_id, this.clock.now(), manager);
    if (!row || row.lever !== act.lever.name || row.kind !== act.kind) throw new Error(`approval ${event.approval_id} names act ${event.act} of ${row?.lever}/${row?.kind}, registered for ${act.lever.name}/${act.kind}`);
    const consumed = await this.grants.consume(manager, { id: row.id, kind: row.kind, payloadDigest: row.payload_digest, by: SYSTEM_PRINCIPAL, act: act.act });
    await act.effect(ApprovalResponseDto.from(consumed, await this.repo.decisions(row.id, manager)), manager);
  }
}
