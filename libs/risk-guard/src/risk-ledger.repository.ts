import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlRows } from '#platform';
import { policyColumns, type PolicyRow } from './risk-policy.repository.js';

export interface LedgerRow {
  engine: string;
  exposure_used: string;
  open_risk_reserved: string;
  realized_loss: string;
  actions_count: string;
  denials_count: string;
}

export interface OpenReservationRow {
  id: string;
  correlation_id: string;
  engine: string;
  day: string;
  amount: string;
  status: 'reserved' | 'expired';
  reserved_at: Date;
  expires_at: Date;
}

/** The SQL of the ledger's reads: the day rows (risk_ledger_day) and the reservations still open. */
@Injectable()
export class RiskLedgerRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The day's rows of GLOBAL and one engine, with both policies (for dry runs). */
  async scopes(day: string, engine: string): Promise<Array<PolicyRow & { usage: LedgerRow | null }>> {
    const rows = await sqlRows<PolicyRow & Partial<LedgerRow> & { has_ledger: boolean }>(
      this.dataSource,
      `SELECT ${policyColumns('p')},
              l.day IS NOT NULL AS has_ledger, l.exposure_used::text AS exposure_used, l.open_risk_reserved::text AS open_risk_reserved,
              l.realized_loss::text AS realized_loss, l.actions_count::text AS actions_count, l.denials_count::text AS denials_count
         FROM risk_policy p LEFT JOIN risk_ledger_day l ON l.engine = p.engine AND l.day = $1::date
        WHERE p.engine IN ($2, 'GLOBAL')`,
      [day, engine],
    );
    return rows.map((r) => ({
      ...r,
      usage: r.has_ledger
        ? {
            engine: r.engine,
            exposure_used: r.exposure_used!,
            open_risk_reserved: r.open_risk_reserved!,
            realized_loss: r.realized_loss!,
            actions_count: r.actions_count!,
            denials_count: r.denials_count!,
          }
        : null,
    }));
  }

  ledgerDay(day: string): Promise<LedgerRow[]> {
    return sqlRows<LedgerRow>(
      this.dataSource,
      `SELECT engine, trim_scale(exposure_used)::text AS exposure_used, trim_scale(open_risk_reserved)::text AS open_risk_reserved,
              trim_scale(realized_loss)::text AS realized_loss, actions_count::text AS actions_count, denials_count::text AS denials_count
         FROM risk_ledger_day WHERE day = $1::date`,
      [day],
    );
  }

  /** Every reservation still holding open risk (reserved or expired), whatever its day, oldest first. */
  openReservations(limit: number): Promise<OpenReservationRow[]> {
    return sqlRows<OpenReservationRow>(
      this.dataSource,
      `SELECT id, correlation_id, engine, day::text AS day, trim_scale(amount)::text AS amount, status, reserved_at, expires_at
         FROM risk_reservation WHERE status IN ('reserved', 'expired') ORDER BY reserved_at, id LIMIT $1`,
      [limit],
    );
  }

  openReservationTotals(): Promise<Array<{ engine: string; status: 'reserved' | 'expired'; count: number; amount: string }>> {
    return sqlRows(
      this.dataSource,
      `SELECT engine, status, count(*)::int AS count, trim_scale(sum(amount))::text AS amount
         FROM risk_reservation WHERE status IN ('reserved', 'expired') GROUP BY engine, status`,
    );
  }
}
