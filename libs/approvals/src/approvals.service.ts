import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, Clock, OutboxService, type Principal, requestDigest, toPage, WardenError, PlatformErrorCode } from '#platform';
import { requestedNotification } from './approval-notifications.js';
import { ApprovalEventsService, type DecidedHandler } from './approval-events.service.js';
import { ApprovalsErrors } from './approvals.errors.js';
import { ApprovalsMetrics } from './approvals.metrics.js';
import { PendingRequestLimit } from './pending-limit.js';
import { type ApprovalRow, ApprovalsRepository, type ListFilter } from './approvals.repository.js';
import { approvalPayloadDigest } from './decide/digest.js';
import { type ApprovalKind, approverRoles, expiresAt, minApprovalsFor, type RiskLevel } from './decide/rules.js';
import { AliasPendingResponseDto, AliasStatusResponseDto } from './dto/alias.dto.js';
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

/**
 * The approvals lever's in-process API (request, get, consume, onDecided) and its request-side
 * routes. Decisions live in ApprovalDecisionsService.
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
    private readonly pendingLimit: PendingRequestLimit,
  ) {}

  /**
   * Files a request as `principal` (the requester: no one may decide their own request). Give
   * `manager` to file it inside your own transaction (it then exists only if yours commits).
   */
  async request(principal: Principal, input: ApprovalRequestInput, manager?: EntityManager): Promise<ApprovalCreatedResponseDto> {
    const row = manager ? await this.file(manager, principal, input) : await this.dataSource.transaction((m) => this.file(m, principal, input));
    return ApprovalCreatedResponseDto.from(row);
  }

  private async file(manager: EntityManager, principal: Principal, input: ApprovalRequestInput): Promise<ApprovalRow> {
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
      requestedBy: principal.name,
      requestedByToken: principal.tokenId,
      correlationId: input.correlationId ?? null,
      requestDigest: digest,
      reason: input.reason,
      riskLevel,
      minApprovals: minApprovalsFor(riskLevel, input.minApprovals),
      approverRoles: approverRoles(input.kind),
      createdAt: now,
      expiresAt: expires,
    });
    if (!inserted) {
      if (row.request_digest !== digest) throw ApprovalsErrors.raise('idempotency_conflict', `correlation_id ${input.correlationId} was already used for a different approval request`);
      return row;
    }
    await this.audit.record(manager, principal, {
      action: 'approval.request',
      subject: `approval:${row.id}`,
      reason: row.reason,
      details: { kind: row.kind, subject: row.subject, risk_level: row.risk_level, min_approvals: row.min_approvals, payload_digest: row.payload_digest, token_id: principal.tokenId },
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

  async list(filter: ListFilter): Promise<ApprovalPageDto> {
    const rows = await this.repo.list(filter, this.clock.now());
    return toPage(rows, filter.limit, (r) => r.seq, (r) => ApprovalResponseDto.from(r));
  }

  async statusAlias(id: string): Promise<AliasStatusResponseDto> {
    const row = await this.repo.find(id, this.clock.now());
    if (!row) throw ApprovalsErrors.raise('approval_not_found', `no approval request ${id}`);
    return AliasStatusResponseDto.from(row);
  }

  async pendingAlias(): Promise<AliasPendingResponseDto> {
    const now = this.clock.now();
    const [count, rows] = await Promise.all([this.repo.pendingCount(now), this.repo.list({ status: 'pending', limit: 100 }, now)]);
    return { count, requests: rows.slice(0, 100).map((r) => AliasStatusResponseDto.from(r)) };
  }

  /**
   * Consumes an approved grant once, in the caller's transaction: call it with the manager of the
   * transaction that performs the act, so the act and the consumption commit (or roll back)
   * together. Throws `grant_not_consumable` (409; `approval_not_found` 404) when the request is
   * not approved, is already consumed, or was granted for another kind or payload digest.
   * `requester`: only this principal may consume (the HTTP route passes its caller).
   */
  async consume(id: string, kind: ApprovalKind, payloadDigest: string, manager: EntityManager, by: Principal | string = 'system', requester?: Principal): Promise<ApprovalResponseDto> {
    const now = this.clock.now();
    const name = typeof by === 'string' ? by : by.name;
    const row = await this.repo.consume(manager, { id, kind, payloadDigest, now, by: name, requester: requester?.name });
    if (!row) throw await this.whyNotConsumable(id, kind, payloadDigest, manager, requester);
    if (typeof by !== 'string') {
      await this.audit.record(manager, by, { action: 'approval.consume', subject: `approval:${id}`, details: { kind, payload_digest: payloadDigest } });
    }
    this.metrics.decisions.inc({ kind, outcome: 'consumed' });
    return ApprovalResponseDto.from(row);
  }

  /** HTTP consume: the requester, in a transaction of its own (the act happens on the caller's side). */
  consumeAsRequester(principal: Principal, id: string, kind: ApprovalKind, payloadDigest: string): Promise<ApprovalResponseDto> {
    return this.dataSource.transaction((m) => this.consume(id, kind, payloadDigest, m, principal, principal));
  }

  private async whyNotConsumable(id: string, kind: string, digest: string, manager: EntityManager, requester?: Principal): Promise<WardenError> {
    const row = await this.repo.find(id, this.clock.now(), manager);
    if (!row) return ApprovalsErrors.raise('approval_not_found', `no approval request ${id}`);
    const why =
      row.kind !== kind ? `it was granted for kind ${row.kind}, not ${kind}`
      : row.payload_digest !== digest ? 'it was granted for another payload (digest differs): a changed act needs a new request'
      : row.status !== 'approved' ? `it is ${row.status}, not approved`
      : row.consumed_at ? `it was already consumed at ${new Date(row.consumed_at).toISOString()}`
      : requester && row.requested_by !== requester.name ? 'only its requester may consume it'
      : 'it changed concurrently';
    return ApprovalsErrors.raise('grant_not_consumable', `approval ${id} cannot be consumed: ${why}`, { details: { status: row.status, consumed_at: row.consumed_at } });
  }

  /**
   * Registers the requesting lever's reaction to a final decision of `kind` (approved, rejected,
   * expired, cancelled). Called after the decision committed, at least once, in a transaction of
   * its own whose `manager` it receives: what it writes through it commits together with the
   * "handled" mark, so effects in the database happen exactly once. A throw rolls back and retries
   * with backoff; survives restarts (the queue is a table). No network calls inside it.
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
