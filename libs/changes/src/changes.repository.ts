import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';
import type { ChangeAnswer, ChangeStatus } from './decide/answer.js';
import type { ChangePolicy } from './decide/policy.js';

export type Db = Pick<EntityManager, 'query'>;

export interface RunRow {
  run_id: string;
  engine: string | null;
  claimed_by: string;
}

export interface ChangeRow {
  id: string;
  seq: string;
  run_id: string;
  phase_id: string;
  engine: string | null;
  tier: number;
  risk_level: string;
  auto_approved: boolean;
  policy_digest: string;
  answer: ChangeAnswer;
  status: ChangeStatus;
  approval_id: string | null;
  expires_at: Date | null;
  approved_by: string | null;
  decision_reason: string | null;
  decided_at: Date | null;
  requested_by: string;
  requested_by_token: string;
  created_at: Date;
  break_glass_by: string | null;
  break_glass_token: string | null;
  break_glass_reason: string | null;
  break_glass_at: Date | null;
  review_approval_id: string | null;
  review_status: 'open' | 'upheld' | 'disputed' | null;
  review_closed_by: string | null;
  review_closed_at: Date | null;
}

export interface NewChange {
  id: string;
  runId: string;
  phaseId: string;
  engine: string | null;
  tier: number;
  riskLevel: string;
  autoApproved: boolean;
  policyDigest: string;
  answer: ChangeAnswer;
  approvalId: string | null;
  expiresAt: Date | null;
  requestedBy: string;
  requestedByToken: string;
  createdAt: Date;
}

export interface PolicyVersionRow {
  digest: string;
  yaml: string;
  normalized: ChangePolicy;
  created_by: string;
  created_at: Date;
}

export interface ActivationRow {
  seq: string;
  digest: string;
  activated_by: string;
  reason: string | null;
  activated_at: Date;
}

export interface WeekRow {
  by_tier: Record<string, number> | null;
  by_status: Record<string, number> | null;
  held_now: string;
  oldest_held_at: Date | null;
  break_glass_uses: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: string) => UUID.test(v);

/** ALL of the change lever's SQL. */
@Injectable()
export class ChangesRepository {
  constructor(@InjectDataSource() readonly db: DataSource) {}

  /**
   * The run's owner, claimed by its first change: an insert that does nothing when the run exists,
   * then a read in a second statement (whose snapshot sees a concurrent claim that committed first).
   */
  async claimRun(m: Db, runId: string, engine: string | null, by: string, token: string, at: Date): Promise<RunRow> {
    await m.query(`INSERT INTO change_run (run_id, engine, claimed_by, claimed_by_token, claimed_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id) DO NOTHING`, [runId, engine, by, token, at]);
    return (await sqlOne<RunRow>(m, `SELECT run_id, engine, claimed_by FROM change_run WHERE run_id = $1`, [runId]))!;
  }

  async insert(m: Db, c: NewChange): Promise<ChangeRow> {
    return (await sqlOne<ChangeRow>(
      m,
      `INSERT INTO change_request (id, run_id, phase_id, engine, path_count, tier, risk_level, auto_approved, policy_digest, answer, status,
         approval_id, expires_at, approved_by, decided_at, requested_by, requested_by_token, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       RETURNING *`,
      [
        c.id, c.runId, c.phaseId, c.engine, c.answer.requested_paths.length, c.tier, c.riskLevel, c.autoApproved, c.policyDigest, JSON.stringify(c.answer),
        c.autoApproved ? 'approved' : 'pending', c.approvalId, c.expiresAt, c.autoApproved ? 'auto' : null, c.autoApproved ? c.createdAt : null,
        c.requestedBy, c.requestedByToken, c.createdAt,
      ],
    ))!;
  }

  find(id: string, db: Db = this.db, lock = false): Promise<ChangeRow | undefined> {
    if (!isUuid(id)) return Promise.resolve(undefined);
    return sqlOne<ChangeRow>(db, `SELECT * FROM change_request WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  }

  byApproval(m: Db, approvalId: string): Promise<ChangeRow | undefined> {
    return sqlOne<ChangeRow>(m, `SELECT * FROM change_request WHERE approval_id = $1 FOR UPDATE`, [approvalId]);
  }

  byReview(m: Db, reviewId: string): Promise<ChangeRow | undefined> {
    return sqlOne<ChangeRow>(m, `SELECT * FROM change_request WHERE review_approval_id = $1 FOR UPDATE`, [reviewId]);
  }

  /** A pending request's outcome, once: a row that already moved (a break-glass, a second writer) is left as it is. */
  decide(m: Db, id: string, d: { status: ChangeStatus; by: string | null; reason: string | null; at: Date }): Promise<ChangeRow | undefined> {
    return sqlOne<ChangeRow>(
      m,
      `UPDATE change_request SET status = $2, approved_by = $3, decision_reason = $4, decided_at = $5 WHERE id = $1 AND status = 'pending' RETURNING *`,
      [id, d.status, d.by, d.reason, d.at],
    );
  }

  breakGlass(m: Db, id: string, b: { by: string; token: string; reason: string; at: Date; reviewId: string }): Promise<ChangeRow | undefined> {
    return sqlOne<ChangeRow>(
      m,
      `UPDATE change_request SET status = 'break_glass', approved_by = $2, decision_reason = $4, decided_at = $5,
         break_glass_by = $2, break_glass_token = $3, break_glass_reason = $4, break_glass_at = $5, review_approval_id = $6, review_status = 'open'
       WHERE id = $1 AND status = 'pending' RETURNING *`,
      [id, b.by, b.token, b.reason, b.at, b.reviewId],
    );
  }

  closeReview(m: Db, id: string, status: 'upheld' | 'disputed', by: string, at: Date): Promise<ChangeRow | undefined> {
    return sqlOne<ChangeRow>(
      m,
      `UPDATE change_request SET review_status = $2, review_closed_by = $3, review_closed_at = $4 WHERE id = $1 AND review_status = 'open' RETURNING *`,
      [id, status, by, at],
    );
  }

  refileReview(m: Db, id: string, reviewId: string): Promise<ChangeRow | undefined> {
    return sqlOne<ChangeRow>(m, `UPDATE change_request SET review_approval_id = $2 WHERE id = $1 AND review_status = 'open' RETURNING *`, [id, reviewId]);
  }

  /** Pending requests newest first (ix_change_request_pending_seq), optionally of one run. */
  pending(limit: number, runId?: string): Promise<ChangeRow[]> {
    return sqlRows<ChangeRow>(this.db, `SELECT * FROM change_request WHERE status = 'pending' AND ($2::text IS NULL OR run_id = $2) ORDER BY seq DESC LIMIT $1`, [limit, runId ?? null]);
  }

  /** Every request newest first, of one run (ix_change_request_run_seq) or all, before a cursor. */
  history(limit: number, runId: string | null, before: string | null): Promise<ChangeRow[]> {
    return sqlRows<ChangeRow>(
      this.db,
      `SELECT * FROM change_request WHERE ($2::text IS NULL OR run_id = $2) AND ($3::bigint IS NULL OR seq < $3::bigint) ORDER BY seq DESC LIMIT $1`,
      [limit, runId, before],
    );
  }

  /** Break-glass requests whose retroactive review is still open, oldest first. */
  openReviews(limit = 100): Promise<ChangeRow[]> {
    return sqlRows<ChangeRow>(this.db, `SELECT * FROM change_request WHERE review_status = 'open' ORDER BY break_glass_at LIMIT $1`, [limit]);
  }

  /** The week's figures for the review: requests by tier and by status, held now and the oldest, break-glass uses. */
  async week(from: Date, to: Date, now: Date): Promise<WeekRow> {
    return (await sqlOne<WeekRow>(
      this.db,
      `WITH w AS (SELECT tier, status FROM change_request WHERE created_at >= $1 AND created_at < $2)
       SELECT (SELECT jsonb_object_agg(tier, n) FROM (SELECT tier, count(*)::int AS n FROM w GROUP BY tier) t) AS by_tier,
              (SELECT jsonb_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM w GROUP BY status) s) AS by_status,
              (SELECT count(*) FROM change_request WHERE status = 'pending' AND expires_at > $3)::text AS held_now,
              (SELECT min(created_at) FROM change_request WHERE status = 'pending' AND expires_at > $3) AS oldest_held_at,
              (SELECT count(*) FROM change_request WHERE break_glass_at >= $1 AND break_glass_at < $2)::text AS break_glass_uses`,
      [from, to, now],
    ))!;
  }

  heldNow(now: Date, limit: number): Promise<ChangeRow[]> {
    return sqlRows<ChangeRow>(this.db, `SELECT * FROM change_request WHERE status = 'pending' AND expires_at > $1 ORDER BY created_at LIMIT $2`, [now, limit]);
  }

  // ---- policy versions and activations

  async insertVersion(m: Db, v: { digest: string; yaml: string; normalized: ChangePolicy; by: string; token: string; at: Date }): Promise<boolean> {
    const rows = await sqlRows(
      m,
      `INSERT INTO change_policy_version (digest, yaml, normalized, created_by, created_by_token, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (digest) DO NOTHING RETURNING digest`,
      [v.digest, v.yaml, JSON.stringify(v.normalized), v.by, v.token, v.at],
    );
    return rows.length === 1;
  }

  version(digest: string, db: Db = this.db): Promise<PolicyVersionRow | undefined> {
    return sqlOne<PolicyVersionRow>(db, `SELECT digest, yaml, normalized, created_by, created_at FROM change_policy_version WHERE digest = $1`, [digest]);
  }

  versions(limit: number): Promise<Array<Omit<PolicyVersionRow, 'yaml' | 'normalized'>>> {
    return sqlRows(this.db, `SELECT digest, created_by, created_at FROM change_policy_version ORDER BY created_at DESC, digest LIMIT $1`, [limit]);
  }

  async activate(m: Db, a: { digest: string; by: string; token: string; reason: string | null; at: Date }): Promise<ActivationRow> {
    // One activation at a time, so "the newest activation" is a total order.
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('change_policy_activation'))`);
    return (await sqlOne<ActivationRow>(
      m,
      `INSERT INTO change_policy_activation (digest, activated_by, activated_by_token, reason, activated_at) VALUES ($1, $2, $3, $4, $5)
       RETURNING seq::text AS seq, digest, activated_by, reason, activated_at`,
      [a.digest, a.by, a.token, a.reason, a.at],
    ))!;
  }

  active(db: Db = this.db): Promise<ActivationRow | undefined> {
    return sqlOne<ActivationRow>(db, `SELECT seq::text AS seq, digest, activated_by, reason, activated_at FROM change_policy_activation ORDER BY change_policy_activation.seq DESC LIMIT 1`);
  }

  activations(limit: number): Promise<ActivationRow[]> {
    return sqlRows<ActivationRow>(this.db, `SELECT seq::text AS seq, digest, activated_by, reason, activated_at FROM change_policy_activation ORDER BY change_policy_activation.seq DESC LIMIT $1`, [limit]);
  }
}
