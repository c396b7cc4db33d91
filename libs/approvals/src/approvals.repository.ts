import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';
import type { ApprovalKind, ApprovalStatus, RiskLevel } from './decide/rules.js';
import { DECIDE_SQL, type SelfDecision, triggerRefusal } from './approvals-decide.sql.js';

type Db = Pick<EntityManager, 'query'>;

export interface ApprovalRow {
  id: string;
  seq: string;
  kind: ApprovalKind;
  subject: string;
  payload: unknown;
  payload_digest: string;
  /** The lever whose act this request is for, and the act; null on a plain request (HTTP, manual, a gate intent). */
  lever: string | null;
  act: string | null;
  /** The version of the state its act undoes, taken at filing (null: a plain request, or an act bound to nothing). */
  bound_version: string | null;
  requested_by: string;
  requested_by_token: string;
  correlation_id: string | null;
  request_digest: string;
  reason: string;
  risk_level: RiskLevel;
  min_approvals: number;
  approver_roles: string[];
  approvals: number;
  /** As stored; `status` below is what every reader sees (pending past expires_at reads expired). */
  stored_status: ApprovalStatus;
  status: ApprovalStatus;
  created_at: Date;
  expires_at: Date;
  decided_at: Date | null;
  consumed_at: Date | null;
  consumed_by: string | null;
}

export interface DecisionRow {
  id: string;
  approval_id: string;
  approver: string;
  approver_token: string;
  approver_role: string;
  /** The approver's person (docs/auth.md, "Persons"); null on decisions recorded before persons. */
  approver_person: string | null;
  decision: 'approve' | 'reject';
  reason: string | null;
  decided_at: Date;
}

export interface NewApprovalRow {
  kind: ApprovalKind;
  subject: string;
  payload: unknown;
  payloadDigest: string;
  lever: string | null;
  act: string | null;
  boundVersion: string | null;
  requestedBy: string;
  requestedByToken: string;
  correlationId: string | null;
  requestDigest: string;
  reason: string;
  riskLevel: RiskLevel;
  minApprovals: number;
  approverRoles: string[];
  createdAt: Date;
  expiresAt: Date;
}

export type DecideOutcome = 'ok' | 'duplicate' | 'not_pending' | 'expired' | SelfDecision | 'role_not_allowed';
export type CancelOutcome = 'ok' | 'not_pending' | 'expired' | 'not_requester';

export interface ListFilter {
  status?: ApprovalStatus;
  kind?: ApprovalKind;
  subject?: string;
  before?: string;
  since?: Date;
  until?: Date;
  limit: number;
}

export interface DecidedEventRow {
  approval_id: string;
  kind: ApprovalKind;
  /** The request's act (null: a plain request, for the kind's onDecided handler). */
  act: string | null;
  status: ApprovalStatus;
  attempts: number;
}

/** The status every reader sees, computed in each statement from its own "now" ($now). */
const EFFECTIVE = (now: string) => `CASE WHEN r.status = 'pending' AND r.expires_at <= ${now} THEN 'expired' ELSE r.status END`;
const SELECT_ROW = (now: string) => `r.*, r.status AS stored_status, ${EFFECTIVE(now)} AS status`;

/** ALL of the approvals lever's SQL. Every rule that two callers could race on is one statement. */
@Injectable()
export class ApprovalsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts a request; a retried client key answers the row already stored under it (inserted = false). */
  async insert(db: Db, row: NewApprovalRow): Promise<{ row: ApprovalRow; inserted: boolean }> {
    const inserted = await sqlOne<ApprovalRow>(
      db,
      `INSERT INTO approval_request AS r (kind, subject, payload, payload_digest, requested_by, requested_by_token, correlation_id,
         request_digest, reason, risk_level, min_approvals, approver_roles, created_at, expires_at, lever, act, bound_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       ON CONFLICT (requested_by, correlation_id) WHERE correlation_id IS NOT NULL DO NOTHING
       RETURNING ${SELECT_ROW('$13')}`,
      [
        row.kind, row.subject, JSON.stringify(row.payload ?? null), row.payloadDigest, row.requestedBy, row.requestedByToken, row.correlationId,
        row.requestDigest, row.reason, row.riskLevel, row.minApprovals, row.approverRoles, row.createdAt, row.expiresAt, row.lever, row.act, row.boundVersion,
      ],
    );
    if (inserted) return { row: inserted, inserted: true };
    const existing = await sqlOne<ApprovalRow>(
      db,
      `SELECT ${SELECT_ROW('$3')} FROM approval_request r WHERE r.requested_by = $1 AND r.correlation_id = $2`,
      [row.requestedBy, row.correlationId, row.createdAt],
    );
    return { row: existing!, inserted: false };
  }

  find(id: string, now: Date, db: Db = this.dataSource): Promise<ApprovalRow | undefined> {
    return sqlOne<ApprovalRow>(db, `SELECT ${SELECT_ROW('$2')} FROM approval_request r WHERE r.id = $1`, [id, now]);
  }

  decisions(id: string, db: Db = this.dataSource): Promise<DecisionRow[]> {
    return sqlRows<DecisionRow>(db, `SELECT * FROM approval_decision WHERE approval_id = $1 ORDER BY id`, [id]);
  }

  /** The decisions of these requests, in decision order (a page's, in one read). */
  decisionsOf(ids: readonly string[], db: Db = this.dataSource): Promise<DecisionRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return sqlRows<DecisionRow>(db, `SELECT * FROM approval_decision WHERE approval_id = ANY($1::uuid[]) ORDER BY id`, [ids]);
  }

  /** Newest first by seq; `LIMIT limit + 1` so the page knows whether an older one exists. */
  list(filter: ListFilter, now: Date): Promise<ApprovalRow[]> {
    return sqlRows<ApprovalRow>(
      this.dataSource,
      `SELECT ${SELECT_ROW('$1')} FROM approval_request r
        WHERE ($2::text IS NULL OR ${EFFECTIVE('$1')} = $2)
          AND ($3::text IS NULL OR r.kind = $3)
          AND ($4::text IS NULL OR r.subject = $4)
          AND ($5::bigint IS NULL OR r.seq < $5)
          AND ($6::timestamptz IS NULL OR r.created_at >= $6)
          AND ($7::timestamptz IS NULL OR r.created_at < $7)
        ORDER BY r.seq DESC LIMIT $8`,
      [now, filter.status ?? null, filter.kind ?? null, filter.subject ?? null, filter.before ?? null, filter.since ?? null, filter.until ?? null, filter.limit + 1],
    );
  }

  async pendingCount(now: Date): Promise<number> {
    const row = await sqlOne<{ n: number }>(this.dataSource, `SELECT count(*)::int AS n FROM approval_request WHERE status = 'pending' AND expires_at > $1`, [now]);
    return row?.n ?? 0;
  }

  /**
   * One decision as one statement. The request row is locked first, so concurrent deciders of one
   * request run one after the other and each sees the row (status, approvals) its predecessor left;
   * the decision is inserted only if the request is pending, unexpired at `now`, the decider may
   * decide it (approvals-decide.sql.ts: not the requester by name, token or person; not a token the
   * requester or the requester's person made, directly or through tokens it made; not a token made
   * at or after the filing) and the decider's role may decide it, and no earlier decision is the
   * same person's (or that of a person beside a token it made). The unique keys (approval_id,
   * approver) and (approval_id, approver_person) count each once; the request becomes rejected on a
   * rejection and approved when its approval count reaches min_approvals, and a final status writes
   * its decided-event row in the same statement. The trigger on approval_decision repeats the
   * person rules with what committed meanwhile: a racing decider it catches is answered as here.
   */
  async decide(
    db: Db,
    input: { id: string; now: Date; approver: string; approverToken: string; approverRole: string; approverPerson: string; decision: 'approve' | 'reject'; reason: string | null },
  ): Promise<{ outcome: DecideOutcome; kind: ApprovalKind; status_before: ApprovalStatus; status_after: ApprovalStatus | null } | undefined> {
    let row: { outcome: DecideOutcome; kind: ApprovalKind; inserted: number; status_before: ApprovalStatus; status_after: ApprovalStatus | null } | undefined;
    try {
      row = await sqlOne(db, DECIDE_SQL, [input.id, input.now, input.approver, input.approverToken, input.approverRole, input.decision, input.reason, input.approverPerson]);
    } catch (err) {
      // The transaction is aborted now: nothing more is read; the caller answers the refusal and rolls back.
      const refused = triggerRefusal(err);
      if (!refused) throw err;
      return { outcome: refused, kind: 'unknown', status_before: 'pending', status_after: null };
    }
    if (!row) return undefined;
    const outcome: DecideOutcome = row.outcome === 'ok' && row.inserted === 0 ? 'duplicate' : row.outcome;
    return { outcome, kind: row.kind, status_before: row.status_before, status_after: row.status_after };
  }

  /** The requester withdraws a pending request: one statement, same row lock as a decision. */
  async cancel(db: Db, input: { id: string; now: Date; requester: string }): Promise<{ outcome: CancelOutcome } | undefined> {
    return sqlOne<{ outcome: CancelOutcome }>(
      db,
      `WITH req AS (
         SELECT id, kind, status, expires_at, requested_by FROM approval_request WHERE id = $1 FOR UPDATE
       ), verdict AS (
         SELECT req.*, CASE
             WHEN req.status <> 'pending' THEN 'not_pending'
             WHEN req.expires_at <= $2 THEN 'expired'
             WHEN req.requested_by <> $3 THEN 'not_requester'
             ELSE 'ok' END AS outcome
           FROM req
       ), upd AS (
         UPDATE approval_request r SET status = 'cancelled', decided_at = $2
           FROM verdict v WHERE r.id = v.id AND v.outcome = 'ok'
         RETURNING r.id, r.kind, r.status
       ), ev AS (
         INSERT INTO approval_decided_event (approval_id, kind, status) SELECT id, kind, status FROM upd
       )
       SELECT outcome FROM verdict`,
      [input.id, input.now, input.requester],
    );
  }

  /** Records expiry of pending requests past expires_at (SKIP LOCKED: a decider holding a row wins it or sees it expired). */
  expireDue(db: Db, now: Date, limit: number): Promise<ApprovalRow[]> {
    return sqlRows<ApprovalRow>(
      db,
      `WITH due AS (
         SELECT id FROM approval_request WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ), upd AS (
         UPDATE approval_request r SET status = 'expired', decided_at = r.expires_at FROM due WHERE r.id = due.id AND r.status = 'pending'
         RETURNING r.*
       ), ev AS (
         INSERT INTO approval_decided_event (approval_id, kind, status) SELECT id, kind, 'expired' FROM upd
       )
       SELECT ${SELECT_ROW('$1')} FROM upd r`,
      [now, limit],
    );
  }

  /**
   * Consumes a grant: succeeds once, only for an approved request of that kind and payload digest,
   * in the caller's transaction (so it commits or rolls back with the act it allows). `act`: who may
   * consume it — a request filed for an act is consumed only by that act (act = its name), a plain
   * one only by a caller (act = null). A concurrent second consume waits on the row lock and then
   * finds consumed_at set.
   */
  consume(db: Db, input: { id: string; kind: string; payloadDigest: string; now: Date; by: string; requester?: string; act: string | null }): Promise<ApprovalRow | undefined> {
    return sqlOne<ApprovalRow>(
      db,
      `UPDATE approval_request r SET consumed_at = $4, consumed_by = $5
        WHERE r.id = $1 AND r.kind = $2 AND r.payload_digest = $3 AND r.status = 'approved' AND r.consumed_at IS NULL
          AND ($6::text IS NULL OR r.requested_by = $6) AND r.act IS NOT DISTINCT FROM $7::text
        RETURNING ${SELECT_ROW('$4')}`,
      [input.id, input.kind, input.payloadDigest, input.now, input.by, input.requester ?? null, input.act],
    );
  }

  /**
   * The oldest unhandled decided event this instance can handle, locked for the handler's
   * transaction: a request filed for one of `acts` (registered here), or any plain request (for its
   * kind's onDecided handler, if there is one; else it is only marked handled).
   */
  claimDecidedEvent(db: Db, acts: string[]): Promise<DecidedEventRow | undefined> {
    return sqlOne<DecidedEventRow>(
      db,
      `SELECT e.approval_id, e.kind, r.act, e.status, e.attempts
         FROM approval_decided_event e JOIN approval_request r ON r.id = e.approval_id
        WHERE e.handled_at IS NULL AND e.next_attempt_at <= now() AND (r.act IS NULL OR r.act = ANY ($1::text[]))
        ORDER BY e.created_at, e.approval_id LIMIT 1 FOR UPDATE OF e SKIP LOCKED`,
      [acts],
    );
  }

  async markEventHandled(db: Db, approvalId: string): Promise<void> {
    await db.query(`UPDATE approval_decided_event SET handled_at = now(), attempts = attempts + 1, last_error = NULL WHERE approval_id = $1`, [approvalId]);
  }

  async markEventFailed(approvalId: string, retryInMs: number, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE approval_decided_event SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2), last_error = $3
        WHERE approval_id = $1 AND handled_at IS NULL`,
      [approvalId, retryInMs / 1000, error.slice(0, 1000)],
    );
  }

  /**
   * How many requests `requestedBy` has pending now, and whether `correlationId` is already theirs
   * (a retry answers the stored request, so it is never refused). Takes a transaction-scoped
   * advisory lock per requester first: concurrent filings by one requester count one after the
   * other, so the limit holds under a burst (each statement reads after the previous one committed).
   */
  async pendingOf(db: Db, requestedBy: string, correlationId: string | null, now: Date): Promise<{ pending: number; retry: boolean }> {
    await db.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`approval_requester:${requestedBy}`]);
    const row = await sqlOne<{ pending: number; retry: boolean }>(
      db,
      `SELECT (SELECT count(*)::int FROM approval_request WHERE requested_by = $1 AND status = 'pending' AND expires_at > $2) AS pending,
              EXISTS (SELECT 1 FROM approval_request WHERE requested_by = $1 AND correlation_id = $3) AS retry`,
      [requestedBy, now, correlationId],
    );
    return row!;
  }
}
