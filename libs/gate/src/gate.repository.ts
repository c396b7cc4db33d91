import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { ReadOnlyDatabase, sqlOne, sqlRows } from '#platform';
import type { RolloutMode } from './decide/combine.js';
import type { Verdict } from './decide/strings.js';

type Db = Pick<EntityManager, 'query'>;

/** NOTIFY channel: a gate policy or trust record changed (every instance drops its cached copies). */
export const GATE_CHANNEL = 'warden_gate';

export interface PolicyRow {
  name: string;
  active_digest: string;
  mode: RolloutMode;
  trust_threshold: string;
  updated_by: string;
  updated_at: Date;
}

export interface ActivePolicyRow extends PolicyRow {
  yaml: string;
}

export interface PolicyListRow extends PolicyRow {
  versions: number;
  rule_count: number;
}

export interface VersionRow {
  name: string;
  digest: string;
  yaml: string;
  rule_count: number;
  created_by: string;
  created_at: Date;
}

export interface NewVersion {
  name: string;
  digest: string;
  yaml: string;
  normalized: unknown;
  ruleCount: number;
  by: string;
  token: string;
  at: Date;
}

export interface NewDecision {
  intentDigest: string | null;
  /** The normalised intent without args (replayableIntent), for simulating a candidate policy later. */
  intent?: unknown;
  policyName: string;
  policyDigest: string | null;
  mode: RolloutMode | null;
  verdict: Verdict;
  wouldHaveBlocked: boolean;
  reasonCodes: string[];
  trace: unknown;
  identity: string | null;
  engine: string | null;
  principal: string;
  tokenId: string;
  approvalId: string | null;
  approvalUse: 'requested' | 'consumed' | 'refused' | null;
  simulate: boolean;
  at: Date;
}

export interface DecisionRow {
  id: string;
  verdict: Verdict;
  identity: string | null;
  simulate: boolean;
  created_at: Date;
}

/** A decision as stored, every column the log shows. */
export interface StoredDecisionRow {
  id: string;
  seq: string;
  intent_digest: string | null;
  policy_name: string;
  policy_digest: string | null;
  mode: RolloutMode | null;
  verdict: Verdict;
  would_have_blocked: boolean;
  reason_codes: string[];
  trace: unknown;
  identity: string | null;
  engine: string | null;
  principal: string;
  approval_id: string | null;
  approval_use: 'requested' | 'consumed' | 'refused' | null;
  simulate: boolean;
  created_at: Date;
}

export interface DecisionFilter {
  verdict?: Verdict;
  identity?: string;
  engine?: string;
  policy?: string;
  reasonCode?: string;
  before?: string;
  since?: Date;
  until?: Date;
  limit: number;
}

const STORED_DECISION = `id, seq::text AS seq, intent_digest, policy_name, policy_digest, mode, verdict, would_have_blocked, reason_codes, trace,
  identity, engine, principal, approval_id, approval_use, simulate, created_at`;

export interface StatsRow {
  processed: string;
  allowed: string;
  dry_run: string;
  blocked: string;
  require_approval: string;
  approvals_used: string;
  approvals_pending: string;
  simulated: string;
  would_have_blocked_observe: string;
}

export interface OutcomeRow {
  id: string;
  outcome: 'allowed' | 'violation';
  gate_decision_id: string | null;
  reason: string;
  reported_by: string;
  at: Date;
}

export interface OverrideRow {
  score: string | null;
  reason: string;
  set_by: string;
  at: Date;
}

/** All of the gate's SQL. */
@Injectable()
export class GateRepository {
  constructor(
    @InjectDataSource() readonly db: DataSource,
    /** What the evaluation cache loads (active policy, trust counts): read-only sessions, no held-back Sync. */
    private readonly reads: ReadOnlyDatabase,
  ) {}

  // ------------------------------------------------------------- policies

  /** Inserts a version unless that (name, digest) exists; true when it was new. */
  async insertVersion(m: Db, v: NewVersion): Promise<boolean> {
    const rows = await sqlRows(
      m,
      `INSERT INTO gate_policy_version (name, digest, yaml, normalized, rule_count, created_by, created_by_token, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (name, digest) DO NOTHING RETURNING digest`,
      [v.name, v.digest, v.yaml, JSON.stringify(v.normalized), v.ruleCount, v.by, v.token, v.at],
    );
    return rows.length === 1;
  }

  policy(name: string, db: Db = this.db): Promise<PolicyRow | undefined> {
    return sqlOne<PolicyRow>(db, `SELECT name, active_digest, mode, trust_threshold::text AS trust_threshold, updated_by, updated_at FROM gate_policy WHERE name = $1`, [name]);
  }

  /** The active version's text with its row: what an evaluation needs, in one read. */
  activePolicy(name: string): Promise<ActivePolicyRow | undefined> {
    return sqlOne<ActivePolicyRow>(
      this.reads,
      `SELECT p.name, p.active_digest, p.mode, p.trust_threshold::text AS trust_threshold, p.updated_by, p.updated_at, v.yaml
       FROM gate_policy p JOIN gate_policy_version v ON v.name = p.name AND v.digest = p.active_digest WHERE p.name = $1`,
      [name],
    );
  }

  async writePolicy(m: Db, row: Omit<PolicyRow, 'updated_at'>, at: Date): Promise<PolicyRow> {
    const [written] = await sqlRows<PolicyRow>(
      m,
      `INSERT INTO gate_policy (name, active_digest, mode, trust_threshold, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (name) DO UPDATE SET active_digest = EXCLUDED.active_digest, mode = EXCLUDED.mode, trust_threshold = EXCLUDED.trust_threshold,
         updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
       RETURNING name, active_digest, mode, trust_threshold::text AS trust_threshold, updated_by, updated_at`,
      [row.name, row.active_digest, row.mode, row.trust_threshold, row.updated_by, at],
    );
    return written;
  }

  policies(): Promise<PolicyListRow[]> {
    return sqlRows<PolicyListRow>(
      this.db,
      `SELECT p.name, p.active_digest, p.mode, p.trust_threshold::text AS trust_threshold, p.updated_by, p.updated_at,
              (SELECT count(*)::int FROM gate_policy_version v WHERE v.name = p.name) AS versions,
              (SELECT v.rule_count FROM gate_policy_version v WHERE v.name = p.name AND v.digest = p.active_digest) AS rule_count
       FROM gate_policy p ORDER BY p.name`,
    );
  }

  versions(name: string): Promise<VersionRow[]> {
    return sqlRows<VersionRow>(this.db, `SELECT name, digest, yaml, rule_count, created_by, created_at FROM gate_policy_version WHERE name = $1 ORDER BY created_at DESC, digest`, [name]);
  }

  version(m: Db, name: string, digest: string): Promise<VersionRow | undefined> {
    return sqlOne<VersionRow>(m, `SELECT name, digest, yaml, rule_count, created_by, created_at FROM gate_policy_version WHERE name = $1 AND digest = $2`, [name, digest]);
  }

  // ------------------------------------------------------------- decisions

  /** Decisions in one statement (ids chosen by the caller); one row inside a caller's transaction, many from the group-commit writer. */
  async insertDecisions(rows: Array<NewDecision & { id: string }>, m: Db = this.db): Promise<void> {
    const json = rows.map((d) => ({
      id: d.id,
      intent_digest: d.intentDigest,
      intent: d.intent ?? null,
      policy_name: d.policyName,
      policy_digest: d.policyDigest,
      mode: d.mode,
      verdict: d.verdict,
      would_have_blocked: d.wouldHaveBlocked,
      reason_codes: d.reasonCodes,
      trace: d.trace,
      identity: d.identity,
      engine: d.engine,
      principal: d.principal,
      principal_token_id: d.tokenId,
      approval_id: d.approvalId,
      approval_use: d.approvalUse,
      simulate: d.simulate,
      created_at: d.at.toISOString(),
    }));
    await m.query(
      `INSERT INTO gate_decision (id, intent_digest, intent, policy_name, policy_digest, mode, verdict, would_have_blocked, reason_codes, trace, identity, engine,
                                  principal, principal_token_id, approval_id, approval_use, simulate, created_at)
       SELECT r.id, r.intent_digest, r.intent, r.policy_name, r.policy_digest, r.mode, r.verdict, r.would_have_blocked, r.reason_codes, r.trace, r.identity, r.engine,
              r.principal, r.principal_token_id, r.approval_id, r.approval_use, r.simulate, r.created_at
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, intent_digest text, intent jsonb, policy_name text, policy_digest text, mode text, verdict text,
            would_have_blocked boolean, reason_codes text[], trace jsonb, identity text, engine text, principal text, principal_token_id text,
            approval_id uuid, approval_use text, simulate boolean, created_at timestamptz)`,
      [JSON.stringify(json)],
    );
  }

  decision(m: Db, id: string): Promise<DecisionRow | undefined> {
    return sqlOne<DecisionRow>(m, `SELECT id, verdict, identity, simulate, created_at FROM gate_decision WHERE id = $1`, [id]);
  }

  /**
   * The decision log, newest first by seq, `LIMIT limit + 1` (toPage). Each filter has its index
   * (migration GateDecisionIndexes): (column, seq) b-trees walk backwards from the cursor; a reason
   * code goes through the GIN index on reason_codes (`@>`, which GIN serves; `= ANY` it does not).
   */
  listDecisions(f: DecisionFilter): Promise<StoredDecisionRow[]> {
    return sqlRows<StoredDecisionRow>(
      this.db,
      `SELECT ${STORED_DECISION} FROM gate_decision
        WHERE ($1::text IS NULL OR verdict = $1)
          AND ($2::text IS NULL OR identity = $2)
          AND ($3::text IS NULL OR engine = $3)
          AND ($4::text IS NULL OR policy_name = $4)
          AND ($5::text IS NULL OR reason_codes @> ARRAY[$5::text])
          AND ($6::bigint IS NULL OR seq < $6)
          AND ($7::timestamptz IS NULL OR created_at >= $7)
          AND ($8::timestamptz IS NULL OR created_at < $8)
        ORDER BY seq DESC LIMIT $9`,
      [f.verdict ?? null, f.identity ?? null, f.engine ?? null, f.policy ?? null, f.reasonCode ?? null, f.before ?? null, f.since ?? null, f.until ?? null, f.limit + 1],
    );
  }

  storedDecision(id: string): Promise<StoredDecisionRow | undefined> {
    return sqlOne<StoredDecisionRow>(this.db, `SELECT ${STORED_DECISION} FROM gate_decision WHERE id = $1`, [id]);
  }

  /**
   * Counts over [since, until). Pending approvals: requests the gate filed that no later decision
   * has used yet (pending, or approved and not yet re-submitted, or rejected/expired unused).
   */
  stats(since: Date | null, until: Date | null): Promise<StatsRow | undefined> {
    return sqlOne<StatsRow>(
      this.db,
      `WITH d AS (SELECT * FROM gate_decision WHERE ($1::timestamptz IS NULL OR created_at >= $1) AND ($2::timestamptz IS NULL OR created_at < $2))
       SELECT count(*) FILTER (WHERE NOT simulate)::text AS processed,
              count(*) FILTER (WHERE NOT simulate AND verdict = 'allow')::text AS allowed,
              count(*) FILTER (WHERE NOT simulate AND verdict = 'dry_run')::text AS dry_run,
              count(*) FILTER (WHERE NOT simulate AND verdict = 'block')::text AS blocked,
              count(*) FILTER (WHERE NOT simulate AND approval_use = 'requested')::text AS require_approval,
              count(*) FILTER (WHERE approval_use = 'consumed')::text AS approvals_used,
              count(*) FILTER (WHERE approval_use = 'requested'
                AND NOT EXISTS (SELECT 1 FROM gate_decision c WHERE c.approval_id = d.approval_id AND c.approval_use = 'consumed'))::text AS approvals_pending,
              count(*) FILTER (WHERE simulate)::text AS simulated,
              count(*) FILTER (WHERE NOT simulate AND mode = 'observe' AND would_have_blocked)::text AS would_have_blocked_observe
       FROM d`,
      [since, until],
    );
  }

  async notifyChanged(m: Db): Promise<void> {
    await m.query(`SELECT pg_notify($1, '')`, [GATE_CHANNEL]);
  }

  // ------------------------------------------------------------- trust

  async insertOutcome(m: Db, o: { identity: string; outcome: 'allowed' | 'violation'; decisionId: string | null; reason: string; by: string; token: string; at: Date }): Promise<OutcomeRow> {
    const [row] = await sqlRows<OutcomeRow>(
      m,
      `INSERT INTO gate_trust_outcome (identity, outcome, gate_decision_id, reason, reported_by, reported_by_token, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING id::text, outcome, gate_decision_id, reason, reported_by, at`,
      [o.identity, o.outcome, o.decisionId, o.reason, o.by, o.token, o.at],
    );
    return row;
  }

  async insertOverride(m: Db, o: { identity: string; score: string | null; reason: string; by: string; token: string; at: Date }): Promise<void> {
    await m.query(`INSERT INTO gate_trust_override (identity, score, reason, set_by, set_by_token, at) VALUES ($1, $2, $3, $4, $5, $6)`, [o.identity, o.score, o.reason, o.by, o.token, o.at]);
  }

  /** Outcome counts and the current override (the newest override row; a null score clears). */
  async trustCounts(identity: string, db: Db = this.reads): Promise<{ allowed: number; violations: number; override: OverrideRow | null }> {
    const row = await sqlOne<{ allowed: number; violations: number; score: string | null; reason: string | null; set_by: string | null; at: Date | null }>(
      db,
      `SELECT (SELECT count(*)::int FROM gate_trust_outcome WHERE identity = $1 AND outcome = 'allowed') AS allowed,
              (SELECT count(*)::int FROM gate_trust_outcome WHERE identity = $1 AND outcome = 'violation') AS violations,
              o.score::text AS score, o.reason, o.set_by, o.at
       FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT score, reason, set_by, at FROM gate_trust_override WHERE identity = $1 ORDER BY id DESC LIMIT 1) o ON true`,
      [identity],
    );
    const override = row && row.set_by !== null && row.score !== null ? { score: row.score, reason: row.reason!, set_by: row.set_by, at: row.at! } : null;
    return { allowed: row?.allowed ?? 0, violations: row?.violations ?? 0, override };
  }

  recentOutcomes(identity: string, limit: number): Promise<OutcomeRow[]> {
    return sqlRows<OutcomeRow>(
      this.db,
      `SELECT id::text, outcome, gate_decision_id, reason, reported_by, at FROM gate_trust_outcome WHERE identity = $1 ORDER BY id DESC LIMIT $2`,
      [identity, limit],
    );
  }
}
