import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlRows } from '#platform';
import type { LedgerRow } from './risk-ledger.rows.js';

export interface DenialCountRow {
  engine: string;
  reason_code: string;
  denials: string;
}

/** A day's ledger row of one engine, with its caps and use ratios. */
export interface LedgerDayUseRow extends LedgerRow {
  day: string;
  max_daily_exposure: string | null;
  max_open_risk: string | null;
  max_daily_loss: string | null;
  max_actions_per_day: number | null;
  /** used / cap, 4 decimals; null when the engine has no such cap. */
  exposure_ratio: string | null;
  open_risk_ratio: string | null;
  loss_ratio: string | null;
  actions_ratio: string | null;
}

export interface ClosedCountRow {
  engine: string;
  kind: 'expire' | 'void';
  count: string;
  amount: string;
}

/**
 * The risk guard's weekly aggregates for the review. Each is one grouped statement read through an
 * index (ix_risk_event_denied_at, ix_risk_event_closed_at — partial, so the reserve hot path pays
 * nothing for them — and risk_ledger_day's primary key): no rows leave the database.
 */
@Injectable()
export class RiskReviewRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  denialsByReason(from: Date, to: Date): Promise<DenialCountRow[]> {
    return sqlRows<DenialCountRow>(
      this.dataSource,
      `SELECT e.engine, coalesce(c.code, 'unspecified') AS reason_code, count(*)::text AS denials
         FROM risk_event e
         LEFT JOIN LATERAL unnest(e.reason_codes) AS c(code) ON true
        WHERE e.kind = 'reserve' AND e.outcome = 'denied' AND e.at >= $1 AND e.at < $2
        GROUP BY e.engine, coalesce(c.code, 'unspecified')
        ORDER BY e.engine, count(*) DESC, reason_code`,
      [from, to],
    );
  }

  /** The ledger days of [fromDay, toDay) with the engine's current caps (caps are not versioned). */
  ledgerDays(fromDay: string, toDay: string): Promise<LedgerDayUseRow[]> {
    return sqlRows<LedgerDayUseRow>(
      this.dataSource,
      `SELECT to_char(l.day, 'YYYY-MM-DD') AS day, l.engine,
              l.exposure_used::text AS exposure_used, l.open_risk_reserved::text AS open_risk_reserved,
              l.realized_loss::text AS realized_loss, l.actions_count::text AS actions_count, l.denials_count::text AS denials_count,
              p.max_daily_exposure::text AS max_daily_exposure, p.max_open_risk::text AS max_open_risk,
              p.max_daily_loss::text AS max_daily_loss, p.max_actions_per_day,
              round(l.exposure_used / nullif(p.max_daily_exposure, 0), 4)::text AS exposure_ratio,
              round(l.open_risk_reserved / nullif(p.max_open_risk, 0), 4)::text AS open_risk_ratio,
              round(l.realized_loss / nullif(p.max_daily_loss, 0), 4)::text AS loss_ratio,
              round(l.actions_count / nullif(p.max_actions_per_day, 0)::numeric, 4)::text AS actions_ratio
         FROM risk_ledger_day l LEFT JOIN risk_policy p ON p.engine = l.engine
        WHERE l.day >= $1::date AND l.day < $2::date
        ORDER BY l.engine, l.day`,
      [fromDay, toDay],
    );
  }

  closedByKind(from: Date, to: Date): Promise<ClosedCountRow[]> {
    return sqlRows<ClosedCountRow>(
      this.dataSource,
      `SELECT engine, kind, count(*)::text AS count, trim_scale(coalesce(sum(amount), 0))::text AS amount
         FROM risk_event
        WHERE kind IN ('expire', 'void') AND outcome IN ('expired', 'voided') AND at >= $1 AND at < $2
        GROUP BY engine, kind
        ORDER BY engine, kind`,
      [from, to],
    );
  }
}
