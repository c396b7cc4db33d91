import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, Clock, OutboxService, type Principal, requestDigest, toPage, WardenError, PlatformErrorCode } from '#platform';
import type { ApprovalActDefinition } from './approval-acts.js';
import { ApprovalActBinding } from './approval-acts.binding.js';
import { ApprovalActsRegistry, type RegisteredKind } from './approval-acts.registry.js';
import { ApprovalEventsService, type DecidedHandler } from './approval-events.service.js';
import { ApprovalGrantsService } from './approval-grants.service.js';
import { requestedNotification } from './approval-notifications.js';
import { ApprovalsErrors } from './approvals.errors.js';
import { ApprovalsMetrics } from './approvals.metrics.js';
import { PendingRequestLimit } from './pending-limit.js';
import { type ApprovalRow, ApprovalsRepository, type ListFilter } from './approvals.repository.js';
import { approvalPayloadDigest } from './decide/digest.js';
import { type ApprovalKind, expiresAt, minApprovalsFor, type RiskLevel } from './decide/rules.js';
import { AliasPendingItemDto, AliasPendingResponseDto, AliasStatusResponseDto } from './dto/alias.dto.js';
import { ApprovalCreatedResponseDto } from './dto/approval-request.dto.js';
import { type ApprovalPageDto, ApprovalResponseDto } from './dto/approval.dto.js';

/** What a lever (or the HTTP route) asks approval for. */
export interface ApprovalRequestInput {
  kind: ApprovalKind;
  /** What the act is about: `engine:WHOLESALE`, `kill_switch`, a recommendation id ... */
  subject: string;
  /** The act itself; the grant is bound to approvalPayloadDigest(kind, subject, payload). */
  payload?: unknown;
  reason: string;
  riskLevel?: RiskLevel;
  minApprovals?: number | null;
  /** 1 s .. 7 days; default 1 h. */
  timeoutSeconds?: number | null;
  /** Client key: a retry with the same key and body answers the same request. */
  correlationId?: string | null;
}

/** A request for a lever's act: its kind is the act's. */
export type ApprovalActRequestInput = Omit<ApprovalRequestInput, 'kind'>;

/**
 * The approvals lever's in-process API (request, requestAct, get, consume, defineAct, onDecided) and
 * its request-side routes. Decisions live in ApprovalDecisionsService.
 */
@Injectable()
export class ApprovalsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: ApprovalsRepository,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly metrics: ApprovalsMetrics,
    private readonly events: ApprovalEventsService,
    private readonly registry: ApprovalActsRegistry,
    private readonly grants: ApprovalGrantsService,
    private readonly pendingLimit: PendingRequestLimit,
    private readonly binding: ApprovalActBinding,
  ) {}

  /**
   * Files a plain request as `principal` (the requester: no one may decide their own request): it
   * carries no act, so its approval runs nothing by itself (the HTTP route files only these). Give
   * `manager` to file it inside your own transaction (it then exists only if yours commits).
   */
  async request(principal: Principal, input: ApprovalRequestInput, manager?: EntityManager): Promise<ApprovalCreatedResponseDto> {
    const kind = this.requireKind(input.kind);
    const file = (m: EntityManager) => this.file(m, principal, input, kind, null);
    return ApprovalCreatedResponseDto.from(manager ? await file(manager) : await this.dataSource.transaction(file));
  }

  /**
   * Files a request for `act` (defined by its lever with @ApprovalAct or defineAct): the row records
   * the lever and the act, and its approval runs the act once, in the transaction that consumes the
   * grant. Only in-process: no HTTP caller can file one. An act with a state reader
   * (@ApprovalActState) is bound to the version of that state now: none, 409 `act_not_applicable`
   * and nothing is filed; open requests for the same subject bound to an older version are voided.
   */
  async requestAct(principal: Principal, act: string, input: ApprovalActRequestInput, manager?: EntityManager): Promise<ApprovalCreatedResponseDto> {
    const def = this.registry.act(act);
    if (!def) throw new Error(`no approval act ${act} is defined`);
    const kind = this.registry.kind(def.kind)!;
    const file = async (m: EntityManager) => {
      const boundVersion = await this.binding.versionToFile(def, input.subject, m);
      if (boundVersion !== null) await this.binding.voidStale(principal, def.act, input.subject, `a request for a newer state of ${input.subject} was filed`, m);
      return this.file(m, principal, { ...input, kind: def.kind }, kind, { lever: def.lever.name, act: def.act, boundVersion });
    };
    return ApprovalCreatedResponseDto.from(manager ? await file(manager) : await this.dataSource.transaction(file));
  }

  /**
   * Tells approvals that the state `act` undoes changed for `subject` (an engage, a release, a new
   * throttle, an enable), in the transaction of the change and after it: the open requests bound to
   * another version are voided (cancelled; audited `approval.void` by `principal` with `why`).
   */
  stateChanged(principal: Principal, act: string, subject: string, why: string, manager: EntityManager): Promise<number> {
    return this.binding.voidStale(principal, act, subject, why, manager);
  }

  /** Defines an approved act in code (the same as an @ApprovalAct method); at start only. */
  defineAct(kind: ApprovalKind, def: Omit<ApprovalActDefinition, 'kind'>): void {
    this.registry.defineAct({ ...def, kind });
  }

  /** Whether the two-person rule holds the two-person act `act` for a second operator now (WARDEN_TWO_PERSON). */
  twoPerson(act: string): boolean {
    return this.registry.twoPerson(act);
  }

  /** A kind some lever registered, else 400 as the validation pipe answers it. */
  private requireKind(kind: string): RegisteredKind {
    const known = this.registry.kind(kind);
    if (known) return known;
    const kinds = this.registry.list().kinds.map((k) => k.kind);
    throw WardenError.badRequest(PlatformErrorCode.ValidationFailed, `kind must be one of ${kinds.join(', ')}`, { fields: [{ field: 'kind', problems: [`kind must be one of ${kinds.join(', ')}`] }] });
  }

  private async file(
    manager: EntityManager,
    principal: Principal,
    input: ApprovalRequestInput,
    kind: RegisteredKind,
    act: { lever: string; act: string; boundVersion: string | null } | null,
  ): Promise<ApprovalRow> {
    const now = this.clock.now();
    const riskLevel = input.riskLevel ?? 'medium';
    let expires: Date;
    try {
      expires = expiresAt(now, input.timeoutSeconds);
    } catch {
      throw ApprovalsErrors.raise('invalid_expiry', 'timeout_seconds must be an integer from 1 to 604800 (7 days)');
    }
    const payload = input.payload ?? {};
    const digest = requestDigest('approval_request', {
      kind: input.kind,
      subject: input.subject,
      payload,
      reason: input.reason,
      risk_level: riskLevel,
      min_approvals: input.minApprovals ?? null,
      timeout_seconds: input.timeoutSeconds ?? null,
    });
    await this.pendingLimit.admit(manager, principal, input.correlationId ?? null, now);
    const { row, inserted } = await this.repo.insert(manager, {
      kind: input.kind,
      subject: input.subject,
      payload,
      payloadDigest: approvalPayloadDigest(input.kind, input.subject, payload),
      lever: act?.lever ?? null,
      act: act?.act ?? null,
      boundVersion: act?.boundVersion ?? null,
      requestedBy: principal.name,
      requestedByToken: principal.tokenId,
      correlationId: input.correlationId ?? null,
      requestDigest: digest,
      reason: input.reason,
      riskLevel,
      minApprovals: minApprovalsFor(riskLevel, input.minApprovals),
      approverRoles: kind.approverRoles,
      createdAt: now,
      expiresAt: expires,
    });
    if (!inserted) {
      if (row.request_digest !== digest || row.act !== (act?.act ?? null)) {
        throw ApprovalsErrors.raise('idempotency_conflict', `correlation_id ${input.correlationId} was already used for a different approval request`);
      }
      return row;
    }
    await this.audit.record(manager, principal, {
      action: 'approval.request',
      subject: `approval:${row.id}`,
      reason: row.reason,
      details: {
        kind: row.kind,
        subject: row.subject,
        risk_level: row.risk_level,
        min_approvals: row.min_approvals,
        payload_digest: row.payload_digest,
        token_id: principal.tokenId,
        ...(row.act ? { lever: row.lever, act: row.act, bound_version: row.bound_version } : {}),
      },
    });
    await this.outbox.enqueue(manager, requestedNotification(row));
    this.metrics.requests.inc({ kind: row.kind });
    return row;
  }

  /** One request with every decision; status as every reader sees it now. */
  async get(id: string, manager?: EntityManager): Promise<ApprovalResponseDto> {
    const db = manager ?? this.dataSource.manager;
    const row = await this.repo.find(id, this.clock.now(), db);
    if (!row) throw ApprovalsErrors.raise('approval_not_found', `no approval request ${id}`);
    return ApprovalResponseDto.from(row, await this.repo.decisions(id, db));
  }

  async list(filter: ListFilter, include?: 'decisions'): Promise<ApprovalPageDto> {
    if (filter.kind !== undefined) this.requireKind(filter.kind);
    const rows = await this.repo.list(filter, this.clock.now());
    if (include !== 'decisions') return toPage(rows, filter.limit, (r) => r.seq, (r) => ApprovalResponseDto.from(r));
    const decisions = await this.repo.decisionsOf(rows.slice(0, filter.limit).map((r) => r.id));
    return toPage(rows, filter.limit, (r) => r.seq, (r) => ApprovalResponseDto.from(r, decisions.filter((d) => d.approval_id === r.id)));
  }

  async statusAlias(id: string): Promise<AliasStatusResponseDto> {
    const row = await this.repo.find(id, this.clock.now());
    if (!row) throw ApprovalsErrors.raise('approval_not_found', `no approval request ${id}`);
    // the decisions carry approval_reason / rejected_reason; a pending request has none that decided it
    return AliasStatusResponseDto.from(row, row.status === 'pending' ? [] : await this.repo.decisions(id));
  }

  async pendingAlias(): Promise<AliasPendingResponseDto> {
    const now = this.clock.now();
    const [count, rows] = await Promise.all([this.repo.pendingCount(now), this.repo.list({ status: 'pending', limit: 100 }, now)]);
    return { count, requests: rows.slice(0, 100).map((r) => AliasPendingItemDto.fromPending(r)) };
  }

  /**
   * Consumes an approved plain grant once, in the caller's transaction: call it with the manager of
   * the transaction that performs the act, so the act and the consumption commit (or roll back)
   * together. Throws `grant_not_consumable` (409; `approval_not_found` 404) when the request is
   * not approved, is already consumed, was granted for another kind or payload digest, or was filed
   * for a lever's act (only that act consumes it). `requester`: only this principal may consume
   * (the HTTP route passes its caller).
   */
  async consume(id: string, kind: ApprovalKind, payloadDigest: string, manager: EntityManager, by: Principal | string = 'system', requester?: Principal): Promise<ApprovalResponseDto> {
    this.requireKind(kind);
    return ApprovalResponseDto.from(await this.grants.consume(manager, { id, kind, payloadDigest, by, requester, act: null }));
  }

  /** HTTP consume: the requester, in a transaction of its own (the act happens on the caller's side). */
  consumeAsRequester(principal: Principal, id: string, kind: ApprovalKind, payloadDigest: string): Promise<ApprovalResponseDto> {
    return this.dataSource.transaction((m) => this.consume(id, kind, payloadDigest, m, principal, principal));
  }

  /**
   * Registers the requesting lever's reaction to a final decision of `kind` (approved, rejected,
   * expired, cancelled). Called after the decision committed, at least once, in a transaction of
   * its own whose `manager` it receives: what it writes through it commits together with the
   * "handled" mark, so effects in the database happen exactly once. A throw rolls back and retries
   * with backoff; survives restarts (the queue is a table). No network calls inside it. Only for
   * plain requests: a request filed for an act runs that act instead (requestAct).
   */
  onDecided(kind: ApprovalKind, handler: DecidedHandler): void {
    this.events.register(kind, handler);
  }

  /** Requires the requester's reason etc. to be validated; guards in-process callers too. */
  static requireText(value: string | undefined | null, field: string): string {
    const text = value?.trim();
    if (!text) throw WardenError.badRequest(PlatformErrorCode.ValidationFailed, `${field} is required`, { fields: [{ field, problems: [`${field} must not be empty`] }] });
    return text;
  }
}
