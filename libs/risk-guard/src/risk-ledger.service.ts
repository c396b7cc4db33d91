import { Injectable } from '@nestjs/common';
import { Clock, DEFAULT_PAGE_LIMIT, toPage, utcDay } from '#platform';
import type { EntityManager } from 'typeorm';
import { scopeHeadroom, sumDecimals } from './decide/headroom.js';
import { RiskEventDto, type RiskEventsPageDto, type RiskEventsQueryDto } from './dto/events.dto.js';
import { type LedgerScopeDto, type LedgerTodayResponseDto, OpenReservationDto, RiskAdjustmentDto } from './dto/ledger.dto.js';
import { RiskPolicyResponseDto } from './dto/policy.dto.js';
import { RiskErrors } from './risk-guard.errors.js';
import { type AdjustmentRow, RiskAdjustRepository } from './risk-adjust.repository.js';
import { GLOBAL_ENGINE } from './risk-guard.input.js';
import { RiskLedgerRepository } from './risk-ledger.repository.js';
import type { LedgerRow } from './risk-ledger.rows.js';
import { type PolicyRow, RiskPolicyRepository } from './risk-policy.repository.js';

type Totals = Array<{ engine: string; status: 'reserved' | 'expired'; count: number; amount: string }>;

/** The ledger's reads (today's view, the event list) and the jobs' work (expiry, day close). */
@Injectable()
export class RiskLedgerService {
  constructor(
    private readonly ledger: RiskLedgerRepository,
    private readonly policies: RiskPolicyRepository,
    private readonly adjustments: RiskAdjustRepository,
    private readonly clock: Clock,
  ) {}

  /** GET /risk/ledger/today: per policy, today's usage, caps, headroom, denials, and the reservations still open. */
  async ledgerToday(): Promise<LedgerTodayResponseDto> {
    const day = utcDay(this.clock.now());
    const [policies, rows, totals, open, adjustments] = await Promise.all([
      this.policies.policies(),
      this.ledger.ledgerDay(day),
      this.ledger.openReservationTotals(),
      this.ledger.openReservations(200),
      this.adjustments.forDay(day),
    ]);
    const byEngine = new Map(rows.map((l) => [l.engine, l]));
    return {
      day,
      engines: policies.map((p) => scopeView(p, byEngine.get(p.engine), totals, adjustments)),
      open_reservations: open.map(OpenReservationDto.from),
      adjustments: adjustments.slice(0, 200).map(RiskAdjustmentDto.from),
    };
  }

  /** GET /risk/events: newest first; page with `before` = the previous page's next_cursor. */
  async listEvents(query: RiskEventsQueryDto): Promise<RiskEventsPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await this.ledger.events({ ...query, engine: query.engine?.toUpperCase(), limit: limit + 1 });
    return toPage(rows, limit, (r) => r.id, RiskEventDto.from);
  }

  /** GET /risk/events/{id}: one decision with its reason codes and the caps it was judged against (details). */
  async event(id: string): Promise<RiskEventDto> {
    const row = await this.ledger.event(id);
    if (!row) throw RiskErrors.raise('risk_event_not_found', `no risk event ${id}`);
    return RiskEventDto.from(row);
  }

  /** Marks reservations past their TTL `expired`: still open risk on their day until settled or voided. */
  expireDue(manager: EntityManager): Promise<number> {
    return this.ledger.expireDue(manager, this.clock.now());
  }

  /** Writes the snapshot of the UTC day that ended at `boundary` (once per day, whoever runs it). */
  closeDay(manager: EntityManager, boundary: Date): Promise<boolean> {
    return this.ledger.writeDayClose(manager, utcDay(new Date(boundary.getTime() - 1)), boundary);
  }
}

/** One policy's line of today's view; GLOBAL's totals are the sums over every engine. */
function scopeView(p: PolicyRow, l: LedgerRow | undefined, totals: Totals, adjustments: AdjustmentRow[]): LedgerScopeDto {
  const mine = (engine: string) => p.engine === GLOBAL_ENGINE || engine === p.engine;
  const sumFor = (status: 'reserved' | 'expired') => {
    const rows = totals.filter((t) => t.status === status && mine(t.engine));
    return { count: rows.reduce((n, r) => n + r.count, 0), amount: sumDecimals(rows.map((r) => r.amount)) };
  };
  const adjusted = adjustments.filter((a) => mine(a.engine));
  const usage = {
    exposure_used: l?.exposure_used ?? '0',
    open_risk_reserved: l?.open_risk_reserved ?? '0',
    realized_loss: l?.realized_loss ?? '0',
    actions_count: Number(l?.actions_count ?? 0),
  };
  return {
    engine: p.engine,
    policy: RiskPolicyResponseDto.from(p),
    usage,
    headroom: scopeHeadroom(p, usage),
    denials_count: Number(l?.denials_count ?? 0),
    open_reservations: sumFor('reserved'),
    expired_reservations: sumFor('expired'),
    adjustments: { count: adjusted.length, realized_loss_delta: sumDecimals(adjusted.map((a) => a.realized_loss_delta)) },
  };
}
