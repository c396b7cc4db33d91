import { Injectable, Logger } from '@nestjs/common';
import { assertEngineAllowed, boundEngines, MetricsService, type Principal, SYSTEM_PRINCIPAL } from '#platform';
import { ClosedReservationDto, CloseResponseDto } from './dto/settle.dto.js';
import { RiskErrors } from './risk-guard.errors.js';
import { amountOf, engineName, failClosed } from './risk-guard.input.js';
import { RiskLedgerTurn } from './risk-ledger-turn.service.js';
import type { CloseItem, CloseRow } from './risk-ledger.rows.js';
import { RISK_GUARD } from './risk-guard.lever.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/**
 * The close path: settles and voids go in the ledger's turns with the reserves (RiskLedgerTurn, one
 * call of sql/risk_ledger_batch.sql.ts per turn), on the reservation's own day.
 */
@Injectable()
export class RiskCloseService {
  private readonly logger = new Logger('risk-guard');

  constructor(
    private readonly turn: RiskLedgerTurn,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * The in-process integration, second line (and POST /risk/settle): releases the reservation's open
   * risk and books its realized loss (default 0) on the reservation's own day. Settling again with
   * the same loss returns the original answer; with another loss 409 idempotency_conflict.
   */
  settle(input: SettleCommand & { principal?: Principal }): Promise<CloseResponseDto> {
    const principal = input.principal ?? SYSTEM_PRINCIPAL;
    const loss = amountOf(input.realizedLoss ?? '0', 'realized_loss', true);
    return this.close(principal, 'settle', input, loss);
  }

  /**
   * POST /risk/void (operator): releases an expired or abandoned reservation's open risk without a
   * loss. Its exposure and action stay counted: the action was taken as far as the caps know.
   */
  voidReservation(principal: Principal, input: { reservationId?: string; correlationId?: string; engine?: string; reason: string }): Promise<CloseResponseDto> {
    return this.close(principal, 'void', input, '0');
  }

  private async close(principal: Principal, kind: 'settle' | 'void', input: SettleCommand, loss: string): Promise<CloseResponseDto> {
    const item = this.item(principal, kind, input, loss);
    let row: CloseRow;
    try {
      // 'retry': an earlier request of the same batch named the same reservation (or reserved its key); once that one committed, go again.
      do row = await this.turn.close(item);
      while (row.outcome === 'retry');
    } catch (err) {
      throw failClosed(err, kind, this.logger, this.metrics);
    }
    return this.answer(principal, kind, item, row);
  }

  private item(principal: Principal, kind: 'settle' | 'void', input: SettleCommand, loss: string): CloseItem {
    const hasId = !!input.reservationId;
    const hasCid = !!input.correlationId;
    if (hasId === hasCid) {
      throw RiskErrors.raise('validation_failed', 'give exactly one of reservation_id or correlation_id', {
        details: { fields: [{ field: 'reservation_id', problems: ['exactly one of reservation_id or correlation_id is required'] }] },
      });
    }
    if (hasId && !UUID.test(input.reservationId!)) {
      throw RiskErrors.raise('validation_failed', 'invalid reservation_id: must be a UUID', {
        details: { fields: [{ field: 'reservation_id', problems: ['must be a UUID'] }] },
      });
    }
    const engine = input.engine === undefined || input.engine === null ? boundEngine(principal, hasCid) : engineName(input.engine);
    if (engine) assertEngineAllowed(principal, engine);
    return {
      kind,
      reservationId: input.reservationId?.toLowerCase() ?? null,
      correlationId: hasId ? null : input.correlationId!,
      engine,
      realizedLoss: loss,
      reason: input.reason?.trim() || null,
      principal: principal.name,
      bound: boundEngines(principal)?.join(',') ?? null,
      actor: principal,
    };
  }

  private answer(principal: Principal, kind: 'settle' | 'void', item: CloseItem, row: CloseRow): CloseResponseDto {
    const loss = item.realizedLoss;
    const who = item.reservationId ? `reservation ${item.reservationId}` : `correlation_id ${item.correlationId}${item.engine ? ` of ${item.engine}` : ''}`;
    switch (row.outcome) {
      case 'not_found':
        throw RiskErrors.raise('reservation_not_found', `${who} not found`);
      case 'ambiguous':
        throw RiskErrors.raise('engine_required', `${who} was used by several engines: give engine (keys are scoped per engine)`, {
          details: { fields: [{ field: 'engine', problems: ['required: the correlation_id names reservations of several engines'] }] },
        });
      case 'loss_exceeds':
        this.metrics.decision(RISK_GUARD.name, 'settle_loss_exceeds');
        throw RiskErrors.raise(
          'loss_exceeds_reservation',
          `realized_loss ${loss} exceeds what a settle may book on ${who}: amount ${row.amount} x max_loss_multiple = ${row.max_loss}; an operator books the rest with POST /api/governance/risk/adjust`,
          {
            reasonCodes: ['loss_exceeds_reservation'],
            details: { reservation_id: row.reservation_id, engine: row.engine, amount: row.amount, max_loss: row.max_loss, realized_loss: loss, recorded: true },
          },
        );
      case 'not_bound':
        throw RiskErrors.raise('engine_not_bound', `token '${principal.name}' is not bound to engine ${row.engine}`);
      case 'not_open':
        throw RiskErrors.raise('reservation_not_open', `${who} is already ${row.status}: it cannot be ${kind === 'settle' ? 'settled' : 'voided'}`, {
          details: { reservation: ClosedReservationDto.from(row) },
        });
      case 'conflict':
        this.metrics.decision(RISK_GUARD.name, `${kind}_conflict`);
        throw RiskErrors.raise(
          'idempotency_conflict',
          kind === 'settle' ? `${who} was already settled with realized_loss ${row.realized_loss}, not ${loss}` : `${who} was already voided with another reason`,
          { details: { reservation_id: row.reservation_id, status: row.status } },
        );
      default: {
        const replay = row.outcome === 'replay';
        this.metrics.decision(RISK_GUARD.name, replay ? `${kind}_replay` : row.outcome);
        return CloseResponseDto.from(row, replay);
      }
    }
  }
}

/** With a correlation_id and no engine named: the token's engine when it is bound to exactly one. */
function boundEngine(principal: Principal, byKey: boolean): string | null {
  return byKey && principal.role === 'engine' && principal.engines?.length === 1 ? principal.engines[0] : null;
}
