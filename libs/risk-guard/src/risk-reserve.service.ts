import { Injectable, Logger } from '@nestjs/common';
import { assertEngineAllowed, idempotencyKey, MetricsService, type Principal, requestDigest, SYSTEM_PRINCIPAL } from '#platform';
import { type AdmittedOutcome, DryRunResponseDto, ReservationResponseDto } from './dto/reserve.dto.js';
import { RiskErrors } from './risk-guard.errors.js';
import { amountOf, engineName, failClosed } from './risk-guard.input.js';
import { RiskLedgerTurn } from './risk-ledger-turn.service.js';
import type { ReserveItem, ReserveRow } from './risk-ledger.rows.js';
import { RiskWhatIfService } from './risk-what-if.service.js';
import { RISK_GUARD } from './risk-guard.lever.js';

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

/**
 * The reserve path: concurrent reserve calls (HTTP or in-process) are grouped, with settles and
 * voids, into turns that PostgreSQL applies in one transaction, each request all-or-nothing in
 * arrival order (RiskLedgerTurn, sql/risk_ledger_batch.sql.ts). The caps are decided there; this
 * service shapes the answer.
 */
@Injectable()
export class RiskReserveService {
  private readonly logger = new Logger('risk-guard');

  constructor(
    private readonly turn: RiskLedgerTurn,
    private readonly whatIf: RiskWhatIfService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * The in-process integration, first line: reserve `amount` for `engine` or throw (403 risk_denied
   * with every reason code, 409 idempotency_conflict, 400 on bad input, 503 when the ledger cannot be
   * reached). Retrying with the same correlationId and body returns the original reservation.
   */
  async reserveOrThrow(input: { engine: string; amount: string | number; correlationId: string; reason?: string | null; principal?: Principal }): Promise<ReservationResponseDto> {
    const answer = await this.checkAndReserve(input.principal ?? SYSTEM_PRINCIPAL, {
      engine: input.engine,
      amount: input.amount,
      correlationId: input.correlationId,
      reason: input.reason,
    });
    return answer as ReservationResponseDto;
  }

  /** POST /risk/check-and-reserve. Returns the reservation (or the dry-run answer); throws a denial. */
  async checkAndReserve(principal: Principal, command: ReserveCommand): Promise<ReservationResponseDto | DryRunResponseDto> {
    const engine = engineName(command.engine);
    const amount = amountOf(command.amount, 'amount', false);
    assertEngineAllowed(principal, engine);
    const reason = command.reason?.trim() || null;
    if (command.dryRun) return this.dryRun(engine, amount);

    const correlationId = idempotencyKey(command.correlationId, command.idempotencyKey);
    if (!correlationId) {
      throw RiskErrors.raise('correlation_id_required', 'correlation_id (body) or an Idempotency-Key header is required');
    }
    const digest = requestDigest('reserve', { engine, amount, reason });
    const item: ReserveItem = { correlationId, engine, amount, reason, principal: principal.name, digest };
    let row: ReserveRow;
    try {
      row = await this.turn.reserve(item);
    } catch (err) {
      throw failClosed(err, 'reserve', this.logger, this.metrics);
    }
    return this.answer(item, row);
  }

  private answer(item: ReserveItem, row: ReserveRow): ReservationResponseDto {
    const replay = row.outcome === 'replay';
    if (row.outcome === 'conflict') {
      this.metrics.decision(RISK_GUARD.name, 'idempotency_conflict');
      // Nothing of the original request is revealed: only that this engine used the key for another body.
      throw RiskErrors.raise('idempotency_conflict', `correlation_id ${item.correlationId} was already used for ${item.engine} with a different request`, {
        details: { correlation_id: item.correlationId, engine: item.engine },
      });
    }
    const outcome = (replay ? row.original_outcome! : row.outcome) as AdmittedOutcome | 'denied' | 'unrecorded';
    if (outcome === 'denied' || outcome === 'unrecorded') {
      this.metrics.decision(RISK_GUARD.name, replay ? 'denied_replay' : 'denied');
      throw RiskErrors.raise('risk_denied', denialMessage(item.engine, row.reason_codes, row.details), {
        reasonCodes: row.reason_codes,
        details: { ...row.details, correlation_id: item.correlationId, recorded: outcome === 'denied', idempotent_replay: replay },
      });
    }
    this.metrics.decision(RISK_GUARD.name, replay ? 'replay' : outcome);
    return ReservationResponseDto.from(item, row, outcome, replay);
  }

  /** dry_run: the same answer as a real call (200, or 403 with details.dry_run), without reserving. */
  private async dryRun(engine: string, amount: string): Promise<DryRunResponseDto> {
    const answer = await this.whatIf.evaluate(engine, amount);
    this.metrics.decision(RISK_GUARD.name, `dry_run_${answer.outcome}`);
    if (!answer.allowed) {
      throw RiskErrors.raise('risk_denied', denialMessage(engine, answer.reason_codes, answer.details), {
        reasonCodes: answer.reason_codes,
        details: { ...answer.details, dry_run: true, recorded: false },
      });
    }
    return DryRunResponseDto.from(answer);
  }
}

function denialMessage(engine: string, codes: string[], details: Record<string, any> | null): string {
  const parts = [`risk denied for ${engine}: ${codes.join(', ')}`];
  for (const scope of [details?.global, details?.engine_scope]) {
    if (scope && scope.enabled === false) parts.push(`${scope.engine} policy disabled: ${scope.disabled_reason ?? 'no reason given'}`);
  }
  return parts.join('; ');
}
