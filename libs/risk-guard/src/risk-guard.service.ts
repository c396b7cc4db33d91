import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { GoLiveChecklistRegistry, GoLiveService } from '#go-live';
import {
  assertEngineAllowed,
  AuditService,
  boundEngines,
  Clock,
  idempotencyKey,
  MetricsService,
  type Principal,
  SYSTEM_PRINCIPAL,
  utcDay,
  WardenError,
} from '#platform';
import type { EntityManager } from 'typeorm';
import { Batcher } from './batcher.js';
import { decideReservation, type ScopePolicy, type ScopeUsage, ZERO_USAGE } from './decide/decide.js';
import { reserveDigest } from './decide/digest.js';
import { parseAmount } from './dto/amount.js';
import { RiskErrorCode, RiskGuardError } from './risk-guard.errors.js';
import {
  type CloseItem,
  type CloseRow,
  type EventQuery,
  type EventRow,
  type LedgerRow,
  type PolicyRow,
  type ReserveItem,
  type ReserveRow,
  RiskGuardRepository,
} from './risk-guard.repository.js';
import type { EnforcementMode } from './entities/risk-policy.entity.js';
import { adjustmentView, type RiskAdjustmentView, RiskAdjustRepository } from './risk-adjust.repository.js';

export const GLOBAL_ENGINE = 'GLOBAL';
const ENGINE_NAME = /^[A-Z0-9_]{1,32}$/;

/** A risk policy as every caller sees it: caps as exact decimal strings, null = unlimited. */
export interface RiskPolicyView {
  engine: string;
  enabled: boolean;
  disabled_reason: string | null;
  max_daily_exposure: string | null;
  max_open_risk: string | null;
  max_daily_loss: string | null;
  max_actions_per_day: number | null;
  reservation_ttl_seconds: number;
  enforcement_mode: EnforcementMode;
  /** A settle books at most the reserved amount times this (the lower of the engine's and GLOBAL's). */
  max_loss_multiple: string;
  updated_by: string;
  updated_at: string;
}

export interface PolicyUpsertInput {
  engine: string;
  enabled?: boolean;
  max_daily_exposure?: string | null;
  max_open_risk?: string | null;
  max_daily_loss?: string | null;
  max_actions_per_day?: number | null;
  reservation_ttl_seconds?: number;
  enforcement_mode?: EnforcementMode;
  max_loss_multiple?: string | number;
  disabled_reason?: string | null;
  reason?: string;
  actor?: string;
}

/** What a reserve call asks (HTTP body or in-process call). */
export interface ReserveCommand {
  engine: string;
  amount: string | number;
  correlationId?: string;
  /** The Idempotency-Key header: an alternative to correlationId (both given: they must be equal). */
  idempotencyKey?: string;
  reason?: string | null;
  dryRun?: boolean;
}

/** An admitted reservation (201), also the original answer a retry gets back. */
export interface RiskReservation {
  outcome: 'allowed' | 'allowed_observed';
  reservation_id: string;
  correlation_id: string;
  engine: string;
  amount: string;
  day: string;
  status: string;
  reserved_at: string;
  expires_at: string;
  /** Caps that would have denied this request in `enforce` mode (observe mode only). */
  observed_reason_codes: string[];
  idempotent_replay: boolean;
}

export interface DryRunAnswer {
  dry_run: true;
  outcome: 'allowed' | 'allowed_observed';
  engine: string;
  amount: string;
  day: string;
  reason_codes: string[];
  details: Record<string, unknown>;
}

export type ReserveAnswer = RiskReservation | DryRunAnswer;

/** What a reservation would get now (whatIf): nothing reserved, recorded or counted. */
export interface WhatIfAnswer {
  allowed: boolean;
  outcome: 'allowed' | 'allowed_observed' | 'denied';
  engine: string;
  amount: string;
  day: string;
  reason_codes: string[];
  details: Record<string, unknown>;
}

export interface SettleCommand {
  reservationId?: string;
  correlationId?: string;
  /**
   * The engine whose correlation_id it is (keys are scoped per engine). Left out: the token's engine
   * when it is bound to exactly one, else the key is looked up within the caller's binding (every
   * engine when unbound) and must name a single reservation there (else 400 engine_required).
   */
  engine?: string;
  /** Default 0. */
  realizedLoss?: string | number;
  reason?: string | null;
}

export interface LedgerValues {
  exposure_used: string | null;
  open_risk_reserved: string | null;
  realized_loss: string | null;
  actions_count: number | null;
}

export interface CloseAnswer {
  outcome: 'settled' | 'voided';
  idempotent_replay: boolean;
  reservation: {
    id: string;
    correlation_id: string;
    engine: string;
    day: string;
    amount: string;
    status: string;
    realized_loss: string | null;
    reserved_at: string;
    expires_at: string;
    closed_at: string | null;
    close_reason: string | null;
  };
  /** The reservation's own day, after this change: its engine row and the GLOBAL row. */
  ledger: { day: string; engine: LedgerValues; global: LedgerValues };
}

export interface LedgerScopeView {
  engine: string;
  policy: RiskPolicyView;
  usage: { exposure_used: string; open_risk_reserved: string; realized_loss: string; actions_count: number };
  headroom: { exposure: string | null; open_risk: string | null; loss: string | null; actions: number | null };
  denials_count: number;
  open_reservations: { count: number; amount: string };
  expired_reservations: { count: number; amount: string };
  /** Operators' compensating entries on today's realized loss (included in usage.realized_loss). */
  adjustments: { count: number; realized_loss_delta: string };
}

export interface LedgerTodayView {
  day: string;
  engines: LedgerScopeView[];
  /** Reservations still holding open risk (reserved or expired, any day), oldest first, at most 200. */
  open_reservations: Array<{
    id: string;
    correlation_id: string;
    engine: string;
    day: string;
    amount: string;
    status: string;
    reserved_at: string;
    expires_at: string;
  }>;
  /** Today's adjustments, oldest first, at most 200. */
  adjustments: RiskAdjustmentView[];
}

/**
 * The risk guard: reserve-then-settle against the day's GLOBAL and engine rows. Concurrent reserve
 * calls (HTTP or in-process) are grouped into batches that PostgreSQL admits in one transaction,
 * each request all-or-nothing in arrival order (risk_reserve_batch); settles and voids likewise.
 */
@Injectable()
export class RiskGuardService implements OnModuleInit {
  private readonly logger = new Logger('risk-guard');
  private readonly reserveBatcher: Batcher<ReserveItem, ReserveRow>;
  private readonly closeBatcher: Batcher<CloseItem, CloseRow>;

  constructor(
    private readonly repo: RiskGuardRepository,
    private readonly adjustments: RiskAdjustRepository,
    private readonly clock: Clock,
    private readonly goLive: GoLiveService,
    private readonly checklist: GoLiveChecklistRegistry,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {
    // One batch of each kind in flight: batches serialize on the GLOBAL row anyway, and a second one
    // in flight only splits the queue into smaller batches that wait for the lock (measured: -20%).
    this.reserveBatcher = new Batcher((items) => this.runReserveBatch(items), {
      maxBatch: 200,
      maxInFlight: 1,
      // Keys are scoped per engine: only the same engine's same key waits for the next batch.
      key: (item) => `${item.engine} ${item.correlationId}`,
    });
    this.closeBatcher = new Batcher((items) => this.repo.closeBatch(this.clock.now(), items), {
      maxBatch: 200,
      maxInFlight: 1,
      key: (item) => item.reservationId ?? `cid:${item.engine ?? ''} ${item.correlationId}`,
    });
  }

  onModuleInit(): void {
    this.checklist.register('required_packs_installed', 'risk_guard', () => this.readiness());
  }

  // ---------------------------------------------------------------- reserve

  /**
   * The in-process integration, first line: reserve `amount` for `engine` or throw (403 risk_denied
   * with every reason code, 409 idempotency_conflict, 400 on bad input, 503 when the ledger cannot be
   * reached). Retrying with the same correlationId and body returns the original reservation.
   */
  async reserveOrThrow(input: {
    engine: string;
    amount: string | number;
    correlationId: string;
    reason?: string | null;
    principal?: Principal;
  }): Promise<RiskReservation> {
    const answer = await this.checkAndReserve(input.principal ?? SYSTEM_PRINCIPAL, {
      engine: input.engine,
      amount: input.amount,
      correlationId: input.correlationId,
      reason: input.reason,
    });
    return answer as RiskReservation;
  }

  /** POST /risk/check-and-reserve. Returns the reservation (or the dry-run answer); throws a denial. */
  async checkAndReserve(principal: Principal, command: ReserveCommand): Promise<ReserveAnswer> {
    const engine = this.engineName(command.engine);
    const amount = this.amount(command.amount, 'amount', false);
    assertEngineAllowed(principal, engine);
    const reason = command.reason?.trim() || null;
    if (command.dryRun) return this.dryRun(engine, amount);

    const correlationId = idempotencyKey(command.correlationId, command.idempotencyKey);
    if (!correlationId) {
      throw RiskGuardError.badRequest(RiskErrorCode.CorrelationIdRequired, 'correlation_id (body) or an Idempotency-Key header is required');
    }
    const item: ReserveItem = { correlationId, engine, amount, reason, principal: principal.name, digest: reserveDigest({ engine, amount, reason }) };
    let row: ReserveRow;
    try {
      row = await this.reserveBatcher.submit(item);
    } catch (err) {
      throw this.failClosed(err, 'reserve');
    }
    return this.reserveAnswer(item, row);
  }

  private async runReserveBatch(items: ReserveItem[]): Promise<ReserveRow[]> {
    const now = this.clock.now();
    const killSwitch = await this.goLive.killSwitchEngaged();
    return this.repo.reserveBatch(utcDay(now), now, killSwitch, items);
  }

  private reserveAnswer(item: ReserveItem, row: ReserveRow): RiskReservation {
    const replay = row.outcome === 'replay';
    if (row.outcome === 'conflict') {
      this.metrics.decision('risk', 'idempotency_conflict');
      // Nothing of the original request is revealed: only that this engine used the key for another body.
      throw RiskGuardError.conflict(`correlation_id ${item.correlationId} was already used for ${item.engine} with a different request`, {
        correlation_id: item.correlationId,
        engine: item.engine,
      });
    }
    const outcome = (replay ? row.original_outcome! : row.outcome) as 'allowed' | 'allowed_observed' | 'denied' | 'unrecorded';
    if (outcome === 'denied' || outcome === 'unrecorded') {
      this.metrics.decision('risk', replay ? 'denied_replay' : 'denied');
      throw RiskGuardError.denied(this.denialMessage(item.engine, row.reason_codes, row.details), row.reason_codes, {
        ...row.details,
        correlation_id: item.correlationId,
        recorded: outcome === 'denied',
        idempotent_replay: replay,
      });
    }
    this.metrics.decision('risk', replay ? 'replay' : outcome);
    return {
      outcome,
      reservation_id: row.reservation_id!,
      correlation_id: item.correlationId,
      engine: item.engine,
      amount: item.amount,
      day: row.day!,
      status: row.status!,
      reserved_at: row.reserved_at!.toISOString(),
      expires_at: row.expires_at!.toISOString(),
      observed_reason_codes: outcome === 'allowed_observed' ? row.reason_codes : [],
      idempotent_replay: replay,
    };
  }

  private denialMessage(engine: string, codes: string[], details: Record<string, any> | null): string {
    const parts = [`risk denied for ${engine}: ${codes.join(', ')}`];
    for (const scope of [details?.global, details?.engine_scope]) {
      if (scope && scope.enabled === false) parts.push(`${scope.engine} policy disabled: ${scope.disabled_reason ?? 'no reason given'}`);
    }
    return parts.join('; ');
  }

  /**
   * What would a reservation get right now? Never throws a denial, reserves, records or counts
   * anything (for what-if callers such as the gate). Bad input still throws 400.
   */
  async whatIf(input: { engine: string; amount: string | number; principal?: Principal }): Promise<WhatIfAnswer> {
    const engine = this.engineName(input.engine);
    const amount = this.amount(input.amount, 'amount', false);
    if (input.principal) assertEngineAllowed(input.principal, engine);
    return this.evaluate(engine, amount);
  }

  /** dry_run: the same answer as a real call (200, or 403 with details.dry_run), without reserving. */
  private async dryRun(engine: string, amount: string): Promise<DryRunAnswer> {
    const answer = await this.evaluate(engine, amount);
    this.metrics.decision('risk', `dry_run_${answer.outcome}`);
    if (!answer.allowed) {
      throw RiskGuardError.denied(this.denialMessage(engine, answer.reason_codes, answer.details), answer.reason_codes, {
        ...answer.details,
        dry_run: true,
        recorded: false,
      });
    }
    return { dry_run: true, outcome: answer.outcome as DryRunAnswer['outcome'], engine, amount, day: answer.day, reason_codes: answer.reason_codes, details: answer.details };
  }

  /** Reads today's GLOBAL and engine rows and applies the pure rule (decideReservation); writes nothing. */
  private async evaluate(engine: string, amount: string): Promise<WhatIfAnswer> {
    const day = utcDay(this.clock.now());
    const [scopes, killSwitch] = await Promise.all([this.repo.scopes(day, engine), this.goLive.killSwitchEngaged()]).catch((err: unknown) => {
      throw this.failClosed(err, 'evaluation');
    });
    const global = scopes.find((s) => s.engine === GLOBAL_ENGINE);
    const own = scopes.find((s) => s.engine === engine);
    const decision = decideReservation({
      amount,
      killSwitchEngaged: killSwitch,
      global: { policy: global ? toScopePolicy(global) : null, usage: global?.usage ? toUsage(global.usage) : ZERO_USAGE },
      engine: { policy: own ? toScopePolicy(own) : null, usage: own?.usage ? toUsage(own.usage) : ZERO_USAGE },
    });
    return {
      allowed: decision.outcome !== 'denied',
      outcome: decision.outcome,
      engine,
      amount,
      day,
      reason_codes: decision.reasonCodes,
      details: { engine, amount, day, global: global ? scopeJson(global, global.usage) : null, engine_scope: own ? scopeJson(own, own.usage) : null },
    };
  }

  // ---------------------------------------------------------------- settle / void

  /**
   * The in-process integration, second line (and POST /risk/settle): releases the reservation's open
   * risk and books its realized loss (default 0) on the reservation's own day. Settling again with
   * the same loss returns the original answer; with another loss 409 idempotency_conflict.
   */
  settle(input: SettleCommand & { principal?: Principal }): Promise<CloseAnswer> {
    const principal = input.principal ?? SYSTEM_PRINCIPAL;
    const loss = this.amount(input.realizedLoss ?? '0', 'realized_loss', true);
    return this.close(principal, 'settle', input, loss);
  }

  /**
   * POST /risk/void (operator): releases an expired or abandoned reservation's open risk without a
   * loss. Its exposure and action stay counted: the action was taken as far as the caps know.
   */
  voidReservation(principal: Principal, input: { reservationId?: string; correlationId?: string; engine?: string; reason: string }): Promise<CloseAnswer> {
    return this.close(principal, 'void', input, '0');
  }

  private async close(principal: Principal, kind: 'settle' | 'void', input: SettleCommand, loss: string): Promise<CloseAnswer> {
    const hasId = !!input.reservationId;
    const hasCid = !!input.correlationId;
    if (hasId === hasCid) {
      throw RiskGuardError.badRequest(RiskErrorCode.ValidationFailed, 'give exactly one of reservation_id or correlation_id', {
        fields: [{ field: 'reservation_id', problems: ['exactly one of reservation_id or correlation_id is required'] }],
      });
    }
    if (hasId && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(input.reservationId!)) {
      throw RiskGuardError.badRequest(RiskErrorCode.ValidationFailed, 'invalid reservation_id: must be a UUID', {
        fields: [{ field: 'reservation_id', problems: ['must be a UUID'] }],
      });
    }
    const engine = input.engine === undefined || input.engine === null ? this.boundEngine(principal, hasCid) : this.engineName(input.engine);
    if (engine) assertEngineAllowed(principal, engine);
    const item: CloseItem = {
      kind,
      reservationId: input.reservationId?.toLowerCase() ?? null,
      correlationId: hasId ? null : input.correlationId!,
      engine,
      realizedLoss: loss,
      reason: input.reason?.trim() || null,
      principal: principal.name,
      bound: boundEngines(principal)?.join(',') ?? null,
    };
    let row: CloseRow;
    try {
      // 'retry': another request of the same batch named the same reservation; once that one committed, go again.
      do row = await this.closeBatcher.submit(item);
      while (row.outcome === 'retry');
    } catch (err) {
      throw this.failClosed(err, kind);
    }
    const who = item.reservationId ? `reservation ${item.reservationId}` : `correlation_id ${item.correlationId}${engine ? ` of ${engine}` : ''}`;
    switch (row.outcome) {
      case 'not_found':
        throw RiskGuardError.notFound(RiskErrorCode.ReservationNotFound, `${who} not found`);
      case 'ambiguous':
        throw RiskGuardError.badRequest(RiskErrorCode.EngineRequired, `${who} was used by several engines: give engine (keys are scoped per engine)`, {
          fields: [{ field: 'engine', problems: ['required: the correlation_id names reservations of several engines'] }],
        });
      case 'loss_exceeds':
        this.metrics.decision('risk', 'settle_loss_exceeds');
        throw RiskGuardError.lossExceedsReservation(
          `realized_loss ${loss} exceeds what a settle may book on ${who}: amount ${row.amount} x max_loss_multiple = ${row.max_loss}; an operator books the rest with POST /api/governance/risk/adjust`,
          { reservation_id: row.reservation_id, engine: row.engine, amount: row.amount, max_loss: row.max_loss, realized_loss: loss, recorded: true },
        );
      case 'not_bound':
        throw WardenError.forbidden('engine_not_bound', `token '${principal.name}' is not bound to engine ${row.engine}`);
      case 'not_open':
        throw RiskGuardError.notOpen(`${who} is already ${row.status}: it cannot be ${kind === 'settle' ? 'settled' : 'voided'}`, {
          reservation: reservationView(row),
        });
      case 'conflict':
        this.metrics.decision('risk', `${kind}_conflict`);
        throw RiskGuardError.conflict(
          kind === 'settle'
            ? `${who} was already settled with realized_loss ${row.realized_loss}, not ${loss}`
            : `${who} was already voided with another reason`,
          { reservation_id: row.reservation_id, status: row.status },
        );
      default: {
        const replay = row.outcome === 'replay';
        this.metrics.decision('risk', replay ? `${kind}_replay` : row.outcome);
        return {
          outcome: row.status === 'settled' ? 'settled' : 'voided',
          idempotent_replay: replay,
          reservation: reservationView(row),
          ledger: {
            day: row.day!,
            engine: ledgerValues(row.e_exposure, row.e_open, row.e_loss, row.e_actions),
            global: ledgerValues(row.g_exposure, row.g_open, row.g_loss, row.g_actions),
          },
        };
      }
    }
  }

  // ---------------------------------------------------------------- policies

  async listPolicies(): Promise<RiskPolicyView[]> {
    return (await this.repo.policies()).map(policyView);
  }

  async getPolicy(engine: string): Promise<RiskPolicyView | null> {
    const row = await this.repo.policy(this.engineName(engine, true));
    return row ? policyView(row) : null;
  }

  /**
   * POST /risk/policies/upsert (operator): fields given replace the stored ones, fields left out keep
   * them. A new policy must state its three money caps (null = unlimited). Audited in the same transaction.
   */
  async upsertPolicy(principal: Principal, input: PolicyUpsertInput): Promise<RiskPolicyView> {
    const engine = this.engineName(input.engine, true);
    const money = (field: 'max_daily_exposure' | 'max_open_risk' | 'max_daily_loss') => {
      const v = input[field];
      return v === undefined || v === null ? v : this.amount(v, field, true);
    };
    const caps = { max_daily_exposure: money('max_daily_exposure'), max_open_risk: money('max_open_risk'), max_daily_loss: money('max_daily_loss') };
    const multiple = input.max_loss_multiple === undefined ? undefined : this.amount(input.max_loss_multiple, 'max_loss_multiple', false);
    return this.repo.db.transaction(async (manager) => {
      const before = await this.repo.policy(engine, manager, true);
      if (!before) {
        const missing = Object.entries(caps).filter(([, v]) => v === undefined).map(([k]) => k);
        if (missing.length) {
          throw RiskGuardError.badRequest(
            RiskErrorCode.PolicyIncomplete,
            `a new policy must state ${missing.join(', ')} (null means unlimited, 0 allows nothing)`,
            { fields: missing.map((field) => ({ field, problems: ['required for a new policy'] })) },
          );
        }
      }
      const enabled = input.enabled ?? before?.enabled ?? true;
      const disabledReason = enabled
        ? null
        : (input.disabled_reason?.trim() || (before && !before.enabled ? before.disabled_reason : null) || input.reason?.trim() || `disabled by ${principal.name}`);
      const next: Omit<PolicyRow, 'updated_at'> = {
        engine,
        enabled,
        max_daily_exposure: caps.max_daily_exposure === undefined ? (before?.max_daily_exposure ?? null) : caps.max_daily_exposure,
        max_open_risk: caps.max_open_risk === undefined ? (before?.max_open_risk ?? null) : caps.max_open_risk,
        max_daily_loss: caps.max_daily_loss === undefined ? (before?.max_daily_loss ?? null) : caps.max_daily_loss,
        max_actions_per_day: input.max_actions_per_day === undefined ? (before?.max_actions_per_day ?? null) : input.max_actions_per_day,
        reservation_ttl_seconds: input.reservation_ttl_seconds ?? before?.reservation_ttl_seconds ?? 900,
        enforcement_mode: input.enforcement_mode ?? before?.enforcement_mode ?? 'enforce',
        max_loss_multiple: multiple ?? before?.max_loss_multiple ?? '1',
        disabled_reason: disabledReason,
        updated_by: principal.name,
      };
      const after = await this.repo.writePolicy(manager, next, this.clock.now());
      await this.audit.record(manager, principal, {
        action: before ? 'risk.policy.update' : 'risk.policy.create',
        subject: `risk_policy:${engine}`,
        reason: input.reason ?? null,
        actorLabel: input.actor ?? null,
        details: { before: before ? policyView(before) : null, after: policyView(after) },
      });
      this.metrics.decision('risk', 'policy_upsert');
      return policyView(after);
    });
  }

  /**
   * Turns an engine off (the regression tripwire's THROTTLE): reserve then denies `policy_disabled`
   * naming `reason`. An engine without a policy gets a disabled one with 0 caps, so enabling it later
   * still allows nothing until an operator sets caps. Already disabled: `changed: false`.
   */
  async disableEngine(principal: Principal, engine: string, reason: string): Promise<{ changed: boolean }> {
    const name = this.engineName(engine, true);
    const why = reason.trim() || `disabled by ${principal.name}`;
    return this.repo.db.transaction(async (manager) => {
      const before = await this.repo.policy(name, manager, true);
      if (before && !before.enabled) return { changed: false };
      const after = await this.repo.writePolicy(
        manager,
        before
          ? { ...before, enabled: false, disabled_reason: why, updated_by: principal.name }
          : {
              engine: name,
              enabled: false,
              max_daily_exposure: '0',
              max_open_risk: '0',
              max_daily_loss: '0',
              max_actions_per_day: null,
              reservation_ttl_seconds: 900,
              enforcement_mode: 'enforce',
              max_loss_multiple: '1',
              disabled_reason: why,
              updated_by: principal.name,
            },
        this.clock.now(),
      );
      await this.audit.record(manager, principal, {
        action: 'risk.policy.disable',
        subject: `risk_policy:${name}`,
        reason: why,
        details: { before: before ? policyView(before) : null, after: policyView(after) },
      });
      this.metrics.decision('risk', 'policy_disable');
      return { changed: true };
    });
  }

  /** Turns an engine back on (an operator's act); 404 when it has no policy; already enabled: `changed: false`. */
  async enableEngine(principal: Principal, engine: string, reason: string): Promise<{ changed: boolean }> {
    const name = this.engineName(engine, true);
    return this.repo.db.transaction(async (manager) => {
      const before = await this.repo.policy(name, manager, true);
      if (!before) throw RiskGuardError.notFound(RiskErrorCode.PolicyNotFound, `no risk policy for engine ${name}`);
      if (before.enabled) return { changed: false };
      const after = await this.repo.writePolicy(manager, { ...before, enabled: true, disabled_reason: null, updated_by: principal.name }, this.clock.now());
      await this.audit.record(manager, principal, {
        action: 'risk.policy.enable',
        subject: `risk_policy:${name}`,
        reason,
        details: { before: policyView(before), after: policyView(after) },
      });
      this.metrics.decision('risk', 'policy_enable');
      return { changed: true };
    });
  }

  // ---------------------------------------------------------------- reads

  /** GET /risk/ledger/today: per policy, today's usage, caps, headroom, denials, and the reservations still open. */
  async ledgerToday(): Promise<LedgerTodayView> {
    const day = utcDay(this.clock.now());
    const [policies, ledger, totals, open, adjustments] = await Promise.all([
      this.repo.policies(),
      this.repo.ledgerDay(day),
      this.repo.openReservationTotals(),
      this.repo.openReservations(200),
      this.adjustments.forDay(day),
    ]);
    const adjustedFor = (engine: string) => {
      const rows = adjustments.filter((a) => engine === GLOBAL_ENGINE || a.engine === engine);
      return { count: rows.length, realized_loss_delta: sumDecimals(rows.map((a) => a.realized_loss_delta)) };
    };
    const byEngine = new Map(ledger.map((l) => [l.engine, l]));
    const sumFor = (engine: string, status: 'reserved' | 'expired') => {
      const rows = totals.filter((t) => t.status === status && (engine === GLOBAL_ENGINE || t.engine === engine));
      return { count: rows.reduce((n, r) => n + r.count, 0), amount: sumDecimals(rows.map((r) => r.amount)) };
    };
    return {
      day,
      engines: policies.map((p) => {
        const l = byEngine.get(p.engine);
        const usage = {
          exposure_used: l?.exposure_used ?? '0',
          open_risk_reserved: l?.open_risk_reserved ?? '0',
          realized_loss: l?.realized_loss ?? '0',
          actions_count: Number(l?.actions_count ?? 0),
        };
        return {
          engine: p.engine,
          policy: policyView(p),
          usage,
          headroom: {
            exposure: minus(p.max_daily_exposure, usage.exposure_used),
            open_risk: minus(p.max_open_risk, usage.open_risk_reserved),
            loss: minus(p.max_daily_loss, usage.realized_loss),
            actions: p.max_actions_per_day === null ? null : p.max_actions_per_day - usage.actions_count,
          },
          denials_count: Number(l?.denials_count ?? 0),
          open_reservations: sumFor(p.engine, 'reserved'),
          expired_reservations: sumFor(p.engine, 'expired'),
          adjustments: adjustedFor(p.engine),
        };
      }),
      open_reservations: open.map((r) => ({
        id: r.id,
        correlation_id: r.correlation_id,
        engine: r.engine,
        day: r.day,
        amount: r.amount,
        status: r.status,
        reserved_at: new Date(r.reserved_at).toISOString(),
        expires_at: new Date(r.expires_at).toISOString(),
      })),
      adjustments: adjustments.slice(0, 200).map(adjustmentView),
    };
  }

  /** GET /risk/events: newest first; page with `before` = the previous page's next_cursor. */
  async events(query: EventQuery): Promise<{ items: Array<Omit<EventRow, 'at'> & { at: string }>; next_cursor: string | null }> {
    const rows = await this.repo.events({ ...query, engine: query.engine?.toUpperCase() });
    return {
      items: rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })),
      next_cursor: rows.length === query.limit ? rows[rows.length - 1].id : null,
    };
  }

  // ---------------------------------------------------------------- jobs (called by RiskGuardJobs)

  /** Marks reservations past their TTL `expired`: still open risk on their day until settled or voided. */
  expireDue(manager: EntityManager): Promise<number> {
    return this.repo.expireDue(manager, this.clock.now());
  }

  /** Writes the snapshot of the UTC day that ended at `boundary` (once per day, whoever runs it). */
  closeDay(manager: EntityManager, boundary: Date): Promise<boolean> {
    const closedDay = utcDay(new Date(boundary.getTime() - 1));
    return this.repo.writeDayClose(manager, closedDay, boundary);
  }

  // ---------------------------------------------------------------- helpers

  private async readiness(): Promise<{ ok: boolean; detail: string }> {
    const policies = await this.repo.policies();
    const global = policies.find((p) => p.engine === GLOBAL_ENGINE);
    const engines = policies.filter((p) => p.engine !== GLOBAL_ENGINE && p.enabled).map((p) => p.engine);
    if (!global) return { ok: false, detail: 'no GLOBAL risk policy' };
    if (!global.enabled) return { ok: false, detail: `GLOBAL risk policy disabled: ${global.disabled_reason ?? 'no reason given'}` };
    if (engines.length === 0) return { ok: false, detail: 'GLOBAL enabled but no engine risk policy is enabled' };
    return { ok: true, detail: `GLOBAL and ${engines.length} engine risk policies enabled (${engines.join(', ')})` };
  }

  /**
   * The most a settle may book on a reservation of `amount` for `engine` (amount x the lower of the
   * engine's and GLOBAL's max_loss_multiple); throws 422 loss_exceeds_reservation when `loss` is above it.
   * For callers that reserve and settle in one go (the deals example) to refuse before reserving.
   */
  async assertLossWithinBound(engine: string, amount: string | number, loss: string | number): Promise<void> {
    const name = this.engineName(engine);
    const reserved = this.amount(amount, 'amount', false);
    const booked = this.amount(loss, 'realized_loss', true);
    const policies = await Promise.all([this.repo.policy(name), this.repo.policy(GLOBAL_ENGINE)]).catch((err: unknown) => {
      throw this.failClosed(err, 'policy read');
    });
    const multiple = Decimal.min(...policies.map((p) => new Decimal(p?.max_loss_multiple ?? '1')));
    const max = new Decimal(reserved).times(multiple);
    if (new Decimal(booked).gt(max)) {
      throw RiskGuardError.lossExceedsReservation(`realized_loss ${booked} exceeds amount ${reserved} x max_loss_multiple = ${max.toFixed()}`, {
        engine: name,
        amount: reserved,
        max_loss: max.toFixed(),
        realized_loss: booked,
        recorded: false,
      });
    }
  }

  /** With a correlation_id and no engine named: the token's engine when it is bound to exactly one. */
  private boundEngine(principal: Principal, byKey: boolean): string | null {
    return byKey && principal.role === 'engine' && principal.engines?.length === 1 ? principal.engines[0] : null;
  }

  private engineName(input: unknown, allowGlobal = false): string {
    const name = typeof input === 'string' ? input.trim().toUpperCase() : '';
    if (!ENGINE_NAME.test(name)) {
      throw RiskGuardError.badRequest(RiskErrorCode.ValidationFailed, 'invalid engine: must match [A-Z0-9_]{1,32}', {
        fields: [{ field: 'engine', problems: ['engine must match [A-Z0-9_]{1,32}'] }],
      });
    }
    if (!allowGlobal && name === GLOBAL_ENGINE) {
      throw RiskGuardError.badRequest(RiskErrorCode.InvalidEngine, 'GLOBAL is the shared scope, not an engine: reserve for a real engine');
    }
    return name;
  }

  private amount(input: unknown, field: string, allowZero: boolean): string {
    const parsed = parseAmount(input, { allowZero });
    if (!parsed.ok) {
      throw RiskGuardError.badRequest(RiskErrorCode.ValidationFailed, `invalid ${field}: ${field} ${parsed.problem}`, {
        fields: [{ field, problems: [`${field} ${parsed.problem}`] }],
      });
    }
    return parsed.value;
  }

  /** Anything but an expected answer: new risk is refused (503), never allowed. */
  private failClosed(err: unknown, what: string): unknown {
    if (err instanceof WardenError) return err;
    const message = err instanceof Error ? err.message : String(err);
    this.logger.error(`risk ${what} failed, failing closed: ${message}`);
    this.metrics.decision('risk', 'unavailable');
    return RiskGuardError.unavailable(`the risk ledger could not be reached (${what}): failing closed`);
  }
}

function policyView(p: PolicyRow): RiskPolicyView {
  return {
    engine: p.engine,
    enabled: p.enabled,
    disabled_reason: p.disabled_reason,
    max_daily_exposure: p.max_daily_exposure,
    max_open_risk: p.max_open_risk,
    max_daily_loss: p.max_daily_loss,
    max_actions_per_day: p.max_actions_per_day,
    reservation_ttl_seconds: p.reservation_ttl_seconds,
    enforcement_mode: p.enforcement_mode,
    max_loss_multiple: p.max_loss_multiple,
    updated_by: p.updated_by,
    updated_at: new Date(p.updated_at).toISOString(),
  };
}

function toScopePolicy(p: PolicyRow): ScopePolicy {
  return {
    enabled: p.enabled,
    enforcementMode: p.enforcement_mode,
    maxDailyExposure: p.max_daily_exposure,
    maxOpenRisk: p.max_open_risk,
    maxDailyLoss: p.max_daily_loss,
    maxActionsPerDay: p.max_actions_per_day,
  };
}

function toUsage(l: LedgerRow): ScopeUsage {
  return { exposureUsed: l.exposure_used, openRiskReserved: l.open_risk_reserved, realizedLoss: l.realized_loss, actionsCount: Number(l.actions_count) };
}

/** Same shape as the SQL risk_scope_json (denial details). */
function scopeJson(p: PolicyRow, l: LedgerRow | null) {
  const u = l ? toUsage(l) : ZERO_USAGE;
  const usage = {
    exposure_used: trim(String(u.exposureUsed)),
    open_risk_reserved: trim(String(u.openRiskReserved)),
    realized_loss: trim(String(u.realizedLoss)),
    actions_count: u.actionsCount,
  };
  return {
    engine: p.engine,
    enabled: p.enabled,
    enforcement_mode: p.enforcement_mode,
    disabled_reason: p.disabled_reason,
    caps: { max_daily_exposure: p.max_daily_exposure, max_open_risk: p.max_open_risk, max_daily_loss: p.max_daily_loss, max_actions_per_day: p.max_actions_per_day },
    usage,
    headroom: {
      exposure: minus(p.max_daily_exposure, usage.exposure_used),
      open_risk: minus(p.max_open_risk, usage.open_risk_reserved),
      loss: minus(p.max_daily_loss, usage.realized_loss),
      actions: p.max_actions_per_day === null ? null : p.max_actions_per_day - usage.actions_count,
    },
  };
}

function reservationView(row: CloseRow): CloseAnswer['reservation'] {
  return {
    id: row.reservation_id!,
    correlation_id: row.correlation_id!,
    engine: row.engine!,
    day: row.day!,
    amount: row.amount!,
    status: row.status!,
    realized_loss: row.realized_loss,
    reserved_at: new Date(row.reserved_at!).toISOString(),
    expires_at: new Date(row.expires_at!).toISOString(),
    closed_at: row.closed_at ? new Date(row.closed_at).toISOString() : null,
    close_reason: row.close_reason,
  };
}

function ledgerValues(exposure: string | null, open: string | null, loss: string | null, actions: string | null): LedgerValues {
  return { exposure_used: exposure, open_risk_reserved: open, realized_loss: loss, actions_count: actions === null ? null : Number(actions) };
}

/** cap - used, exact; null when the cap is unlimited. */
function minus(cap: string | null, used: string): string | null {
  return cap === null ? null : new Decimal(cap).minus(new Decimal(used)).toFixed();
}

function sumDecimals(values: string[]): string {
  return values.reduce((acc, v) => acc.plus(new Decimal(v)), new Decimal(0)).toFixed();
}

function trim(value: string): string {
  return new Decimal(value).toFixed();
}
