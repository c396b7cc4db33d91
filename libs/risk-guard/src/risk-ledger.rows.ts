import type { Principal } from '#platform';

/** The ledger aggregate's rows (risk_ledger_day, risk_reservation, risk_event) as RiskLedgerRepository reads them. */

/** One reserve request as the batch function takes it (amount canonical, digest computed). */
export interface ReserveItem {
  correlationId: string;
  engine: string;
  amount: string;
  digest: string;
  reason: string | null;
  principal: string;
}

export type ReserveRowOutcome = 'allowed' | 'allowed_observed' | 'denied' | 'unrecorded' | 'replay' | 'conflict';

export interface ReserveRow {
  ord: number;
  outcome: ReserveRowOutcome;
  reservation_id: string | null;
  reason_codes: string[];
  details: Record<string, any> | null;
  day: string | null;
  reserved_at: Date | null;
  expires_at: Date | null;
  status: string | null;
  /** For replay/conflict: the outcome recorded under the key. */
  original_outcome: 'allowed' | 'allowed_observed' | 'denied' | null;
}

export interface CloseItem {
  kind: 'settle' | 'void';
  reservationId: string | null;
  correlationId: string | null;
  /** With correlationId: the engine whose key it is (null: resolved within the caller's binding). */
  engine: string | null;
  realizedLoss: string;
  reason: string | null;
  principal: string;
  /** Comma-joined engines the caller is bound to; null = unbound. */
  bound: string | null;
  /** Who closes it, for the audit row an operator's void writes (not passed to SQL). */
  actor?: Principal;
}

export type CloseRowOutcome =
  | 'settled'
  | 'voided'
  | 'replay'
  | 'conflict'
  | 'not_open'
  | 'not_found'
  | 'not_bound'
  | 'ambiguous'
  | 'loss_exceeds'
  | 'retry';

export interface CloseRow {
  ord: number;
  outcome: CloseRowOutcome;
  reservation_id: string | null;
  correlation_id: string | null;
  engine: string | null;
  day: string | null;
  amount: string | null;
  status: string | null;
  realized_loss: string | null;
  reserved_at: Date | null;
  expires_at: Date | null;
  closed_at: Date | null;
  close_reason: string | null;
  /** The most a settle may book on this reservation: amount x max_loss_multiple. */
  max_loss: string | null;
  e_exposure: string | null;
  e_open: string | null;
  e_loss: string | null;
  e_actions: string | null;
  g_exposure: string | null;
  g_open: string | null;
  g_loss: string | null;
  g_actions: string | null;
}

/** One request of a ledger turn (risk_ledger_batch): a reserve, or a settle/void. */
export type ReserveTurnItem = ReserveItem & { kind: 'reserve' };
export type TurnItem = ReserveTurnItem | CloseItem;
/** A turn's answer row: a reserve's columns or a close's, by the request's kind. */
export type TurnRow = Omit<ReserveRow, 'outcome'> & Omit<CloseRow, 'outcome'> & { outcome: ReserveRowOutcome | CloseRowOutcome };

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

/** A day's engine or GLOBAL row as an adjustment locks and changes it. */
export interface LossRow {
  engine: string;
  exposure_used: string;
  open_risk_reserved: string;
  realized_loss: string;
  actions_count: string;
}

/** A risk_event row: every decision of the guard (reserve, settle, void, expire, day_close). */
export interface EventRow {
  id: string;
  at: Date;
  day: string;
  engine: string;
  kind: string;
  outcome: string;
  correlation_id: string | null;
  reservation_id: string | null;
  amount: string | null;
  realized_loss: string | null;
  reason_codes: string[];
  reason: string | null;
  principal: string;
  details: Record<string, unknown> | null;
}

export interface EventQuery {
  engine?: string;
  day?: string;
  outcome?: string;
  kind?: string;
  correlation_id?: string;
  before?: string;
  since?: Date;
  until?: Date;
  /** Rows to fetch (the page size + 1). */
  limit: number;
}
