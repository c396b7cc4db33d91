import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { AuditService, Clock, idempotencyKey, MetricsService, parseSignedAmount, type Principal, requestDigest, utcDay } from '#platform';
import { AdjustResponseDto } from './dto/adjust.dto.js';
import { RiskAdjustRepository } from './risk-adjust.repository.js';
import { RiskErrors } from './risk-guard.errors.js';
import { ENGINE_NAME, GLOBAL_ENGINE } from './risk-guard.input.js';
import { RiskLedgerRepository } from './risk-ledger.repository.js';
import { RiskPolicyRepository } from './risk-policy.repository.js';
import { RISK_GUARD } from './risk-guard.lever.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface AdjustCommand {
  engine: string;
  /** UTC day (YYYY-MM-DD) whose ledger is corrected; default today. */
  day?: string;
  /** Signed decimal: added to the day's realized loss (negative corrects a loss booked too high). */
  realizedLossDelta: string | number;
  reason: string;
  correlationId?: string;
  idempotencyKey?: string;
  actor?: string;
}

/**
 * POST /risk/adjust (operator): a loss beyond what a settle may book, or a wrong one, is corrected by
 * an append-only compensating entry, never by editing — the entry, the day's engine and GLOBAL rows
 * and the audit row in one transaction. A day's realized loss never goes below 0 (422 loss_below_zero).
 * Idempotent per (engine, correlation_id), like every risk key.
 */
@Injectable()
export class RiskAdjustService {
  constructor(
    private readonly adjustments: RiskAdjustRepository,
    private readonly ledger: RiskLedgerRepository,
    private readonly policies: RiskPolicyRepository,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  async adjust(principal: Principal, command: AdjustCommand): Promise<AdjustResponseDto> {
    const input = this.validate(command);
    if (!(await this.policies.policy(input.engine))) {
      throw RiskErrors.raise('policy_not_found', `no risk policy for engine ${input.engine}: nothing to adjust`);
    }
    const digest = requestDigest('adjust', { engine: input.engine, day: input.day, delta: input.delta, reason: input.reason });
    const now = this.clock.now();
    const answer = await this.adjustments.db.transaction(async (manager) => {
      const row = await this.adjustments.insert(manager, {
        at: now,
        day: input.day,
        engine: input.engine,
        realized_loss_delta: input.delta,
        reason: input.reason,
        correlation_id: input.correlationId,
        request_digest: digest,
        principal: principal.name,
        token_id: principal.tokenId,
      });
      if (!row) {
        const original = (await this.adjustments.byKey(manager, input.engine, input.correlationId))!;
        if (original.request_digest !== digest) {
          this.metrics.decision(RISK_GUARD.name, 'adjust_conflict');
          throw RiskErrors.raise('idempotency_conflict', `correlation_id ${input.correlationId} was already used for an adjustment of ${input.engine} with a different request`, {
            details: { correlation_id: input.correlationId, engine: input.engine },
          });
        }
        return { kind: 'replay' as const, row: original };
      }
      const before = await this.ledger.lockDay(manager, input.day, input.engine);
      const low = [before.engine, before.global].find((r) => new Decimal(r.realized_loss).plus(input.delta).isNegative());
      if (low) {
        throw RiskErrors.raise(
          'loss_below_zero',
          `realized_loss_delta ${input.delta} would take ${low.engine}'s realized loss on ${input.day} below 0 (it is ${low.realized_loss})`,
          { details: { engine: low.engine, day: input.day, realized_loss: low.realized_loss, realized_loss_delta: input.delta } },
        );
      }
      const after = await this.ledger.applyDelta(manager, input.day, input.engine, input.delta);
      await this.audit.record(manager, principal, {
        action: `${RISK_GUARD.name}.adjust`,
        subject: `risk_ledger_day:${input.day}:${input.engine}`,
        reason: input.reason,
        actorLabel: command.actor ?? null,
        details: {
          adjustment_id: row.id,
          correlation_id: input.correlationId,
          realized_loss_delta: input.delta,
          before: { engine: before.engine.realized_loss, global: before.global.realized_loss },
          after: { engine: after.engine.realized_loss, global: after.global.realized_loss },
        },
      });
      return { kind: 'booked' as const, row, after };
    });

    if (answer.kind === 'replay') {
      this.metrics.decision(RISK_GUARD.name, 'adjust_replay');
      return AdjustResponseDto.from(true, answer.row, input.day, await this.ledger.readDay(input.day, input.engine));
    }
    this.metrics.decision(RISK_GUARD.name, 'adjust');
    return AdjustResponseDto.from(false, answer.row, input.day, answer.after);
  }

  private validate(command: AdjustCommand): { engine: string; day: string; delta: string; reason: string; correlationId: string } {
    const fields: Array<{ field: string; problems: string[] }> = [];
    const engine = typeof command.engine === 'string' ? command.engine.trim().toUpperCase() : '';
    if (!ENGINE_NAME.test(engine)) fields.push({ field: 'engine', problems: ['engine must match [A-Z0-9_]{1,32}'] });
    else if (engine === GLOBAL_ENGINE) fields.push({ field: 'engine', problems: ['adjust an engine: its GLOBAL row follows'] });

    const today = utcDay(this.clock.now());
    const day = command.day ?? today;
    if (typeof day !== 'string' || !DAY.test(day) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
      fields.push({ field: 'day', problems: ['day must be a UTC date YYYY-MM-DD'] });
    } else if (day > today) {
      fields.push({ field: 'day', problems: [`day must not be after today (${today})`] });
    }

    const delta = parseSignedAmount(command.realizedLossDelta);
    if (!delta.ok) fields.push({ field: 'realized_loss_delta', problems: [`realized_loss_delta ${delta.problem}`] });

    const reason = typeof command.reason === 'string' ? command.reason.trim() : '';
    if (!reason) fields.push({ field: 'reason', problems: ['reason is required: an adjustment says why'] });

    let correlationId: string | null = null;
    try {
      correlationId = idempotencyKey(command.correlationId, command.idempotencyKey);
    } catch {
      fields.push({ field: 'correlation_id', problems: ['must be 1-200 of [A-Za-z0-9._:-], and equal the Idempotency-Key header when both are given'] });
    }
    if (fields.length) {
      throw RiskErrors.raise('validation_failed', `invalid adjustment: ${fields.map((f) => f.problems[0]).join('; ')}`, { details: { fields } });
    }
    if (!correlationId) {
      throw RiskErrors.raise('correlation_id_required', 'correlation_id (body) or an Idempotency-Key header is required');
    }
    return { engine, day, delta: (delta as { value: string }).value, reason, correlationId };
  }
}
