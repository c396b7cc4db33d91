import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { GoLiveChecklistRegistry, GoLiveService } from '#go-live';
import {
  addDays,
  assertDomainAllowed,
  AuditService,
  Clock,
  idempotencyKey,
  MetricsService,
  PlatformErrorCode,
  type Principal,
  sqlOne,
  sqlRows,
  SYSTEM_PRINCIPAL,
  utcDay,
  WardenError,
} from '#platform';
import { evaluateGates, type GateCheck, type GateDecision, type GatePolicy, type GateReasonCode, summarize } from './decide/gates.js';
import { D, normalizeRatio } from './decide/ratio.js';
import { HeimdallErrorCode, HeimdallErrors } from './heimdall.errors.js';

export const HEIMDALL_LEVER = 'heimdall';
export const SCORECARD_CLOSE_JOB = 'heimdall.scorecard_close';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface HeimdallPolicy {
  domain: string;
  min_confidence: number;
  min_trials: number;
  min_success_rate: number;
  prod_use_enabled: boolean;
  window_days: number;
  updated_by: string;
  updated_at: string;
}

export interface UpsertPolicyInput {
  domain: string;
  min_confidence?: string;
  min_trials?: number;
  min_success_rate?: string;
  prod_use_enabled?: boolean;
  window_days?: number;
  reason?: string;
  actor?: string;
}

export interface RecordTrialInput {
  domain: string;
  success: boolean;
  /** A ratio: canonical decimal string (the HTTP layer normalizes JSON numbers) or a number. */
  confidence: string | number;
  recommendation_id?: string;
  correlation_id?: string;
}

export interface Trial {
  id: string;
  domain: string;
  day: string;
  success: boolean;
  confidence: number;
  recommendation_id: string | null;
  correlation_id: string | null;
  recorded_by: string;
  recorded_at: string;
}

export interface RecommendInput {
  domain: string;
  confidence: string | number;
  payload?: Record<string, unknown>;
  correlation_id?: string;
}

export interface Recommendation extends GateDecision {
  id: string;
  domain: string;
  confidence: number;
  payload: Record<string, unknown> | null;
  correlation_id: string | null;
  created_by: string;
  created_at: string;
}

export interface Eligibility extends GateDecision {
  recommendation_id: string;
  domain: string;
  confidence: number;
  checked_at: string;
}

export interface RecommendationQuery {
  domain?: string;
  prod_eligible?: boolean;
  limit?: number;
  cursor?: string;
}

export interface ScorecardDomain extends GateDecision {
  domain: string;
  window_from: string;
  window_to: string;
  window_days: number;
  trials: number;
  successes: number;
  success_rate: number | null;
  avg_confidence: number | null;
  confidence_sum: string;
  today: { trials: number; successes: number };
  policy: HeimdallPolicy;
  summary: string;
}

export interface Scorecard {
  day: string;
  as_of: string;
  kill_switch_engaged: boolean;
  domains: ScorecardDomain[];
}

interface PolicyRow {
  domain: string;
  min_confidence: string;
  min_trials: number;
  min_success_rate: string;
  prod_use_enabled: boolean;
  window_days: number;
  updated_by: string;
  updated_at: Date;
}

interface WindowRow {
  trials: string;
  successes: string;
  confidence_sum: string;
}

interface RecommendationRow {
  id: string;
  seq: string;
  domain: string;
  confidence: string;
  payload: Record<string, unknown> | null;
  correlation_id: string | null;
  request_digest: string;
  prod_eligible: boolean;
  gate_reason: GateReasonCode;
  reason_codes: GateDecision['reason_codes'];
  gates: GateCheck[];
  created_by: string;
  created_at: Date;
}

interface TrialRow {
  id: string;
  domain: string;
  day: string;
  success: boolean;
  confidence: string;
  recommendation_id: string | null;
  correlation_id: string | null;
  request_digest: string;
  recorded_by: string;
  recorded_at: Date;
}

const POLICY_COLUMNS = `domain, min_confidence::text AS min_confidence, min_trials, min_success_rate::text AS min_success_rate,
  prod_use_enabled, window_days, updated_by, updated_at`;
const TRIAL_COLUMNS = `id, domain, to_char(day, 'YYYY-MM-DD') AS day, success, confidence::text AS confidence, recommendation_id,
  correlation_id, request_digest, recorded_by, recorded_at`;
const RECOMMENDATION_COLUMNS = `id, seq::text AS seq, domain, confidence::text AS confidence, payload, correlation_id, request_digest,
  prod_eligible, gate_reason, reason_codes, gates, created_by, created_at`;

/**
 * The Heimdall lever: AI recommendations reach production only when the sandbox has earned it.
 * PostgreSQL holds the truth — trials and their exact per-day counters move together in one
 * transaction; every decision is evaluated by the pure gate stack and recorded as an event in the
 * transaction that takes it.
 */
@Injectable()
export class HeimdallService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly goLive: GoLiveService,
    private readonly checklist: GoLiveChecklistRegistry,
  ) {}

  onModuleInit(): void {
    this.checklist.register('required_packs_installed', HEIMDALL_LEVER, () => this.readiness());
  }

  /** Go-live readiness of the Heimdall pack: policies are present. */
  async readiness(): Promise<{ ok: boolean; detail: string }> {
    const row = await sqlOne<{ total: number; enabled: number }>(
      this.dataSource,
      `SELECT count(*)::int AS total, (count(*) FILTER (WHERE prod_use_enabled))::int AS enabled FROM heimdall_policy`,
    );
    const total = row?.total ?? 0;
    return total > 0
      ? { ok: true, detail: `${total} Heimdall ${total === 1 ? 'policy' : 'policies'} present (${row!.enabled} prod-enabled)` }
      : { ok: false, detail: 'no Heimdall policy present' };
  }

  // ---------------------------------------------------------------- policies

  async listPolicies(): Promise<HeimdallPolicy[]> {
    const rows = await sqlRows<PolicyRow>(this.dataSource, `SELECT ${POLICY_COLUMNS} FROM heimdall_policy ORDER BY domain`);
    return rows.map(toPolicy);
  }

  /** Creates or changes a domain's policy; audited and recorded in the same transaction. */
  async upsertPolicy(principal: Principal, input: UpsertPolicyInput): Promise<HeimdallPolicy> {
    const now = this.clock.now();
    const row = await this.dataSource.transaction(async (manager) => {
      // Serializes upserts of one domain, including the creation of a new one (no row to lock yet).
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`heimdall_policy:${input.domain}`]);
      const before = await sqlOne<PolicyRow>(manager, `SELECT ${POLICY_COLUMNS} FROM heimdall_policy WHERE domain = $1`, [input.domain]);
      let after: PolicyRow | undefined;
      if (before) {
        after = await sqlOne<PolicyRow>(
          manager,
          `UPDATE heimdall_policy SET
             min_confidence = coalesce($2::numeric, min_confidence), min_trials = coalesce($3::int, min_trials),
             min_success_rate = coalesce($4::numeric, min_success_rate), prod_use_enabled = coalesce($5::boolean, prod_use_enabled),
             window_days = coalesce($6::int, window_days), updated_by = $7, updated_at = $8, version = version + 1
           WHERE domain = $1 RETURNING ${POLICY_COLUMNS}`,
          [input.domain, input.min_confidence ?? null, input.min_trials ?? null, input.min_success_rate ?? null, input.prod_use_enabled ?? null, input.window_days ?? null, principal.name, now],
        );
      } else {
        const missing = (['min_confidence', 'min_trials', 'min_success_rate'] as const).filter((f) => input[f] === undefined);
        if (missing.length) {
          throw WardenError.badRequest(HeimdallErrorCode.PolicyIncomplete, `a new domain needs ${missing.join(', ')}`, { fields: missing });
        }
        after = await sqlOne<PolicyRow>(
          manager,
          `INSERT INTO heimdall_policy (domain, min_confidence, min_trials, min_success_rate, prod_use_enabled, window_days, updated_by, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${POLICY_COLUMNS}`,
          [input.domain, input.min_confidence, input.min_trials, input.min_success_rate, input.prod_use_enabled ?? false, input.window_days ?? 1, principal.name, now],
        );
      }
      const details = { before: before ? toPolicy(before) : null, after: toPolicy(after!) };
      await this.audit.record(manager, principal, {
        action: 'heimdall.policy.upsert',
        subject: `heimdall.policy:${input.domain}`,
        actorLabel: input.actor,
        reason: input.reason,
        details,
      });
      await this.event(manager, now, { kind: 'policy.upserted', domain: input.domain, principal, details: { ...details, reason: input.reason ?? null } });
      return after!;
    });
    this.metrics.decision(HEIMDALL_LEVER, 'policy_upserted');
    return toPolicy(row);
  }

  // ---------------------------------------------------------------- trials

  /**
   * Records one sandbox trial and bumps the day's counters in one statement (so one transaction):
   * the counter upsert adds to the row in place, so concurrent trials queue on the row lock only
   * for that statement and its commit, and lose no count. No row back means the key was used
   * before (replay or 409) or the domain has no policy (404) — and nothing was written.
   */
  async recordTrial(principal: Principal, input: RecordTrialInput, headerKey?: string): Promise<Trial> {
    const confidence = ratio(input.confidence, 'confidence');
    assertDomainAllowed(principal, input.domain);
    const correlationId = idempotencyKey(input.correlation_id, headerKey);
    const digest = digestOf(['trial', input.domain, input.success, confidence, input.recommendation_id ?? null]);
    if (input.recommendation_id) {
      // Recommendations are append-only: this check cannot go stale before the insert.
      const rec = await sqlOne<{ domain: string }>(this.dataSource, `SELECT domain FROM heimdall_recommendation WHERE id = $1`, [input.recommendation_id]);
      if (!rec) throw HeimdallErrors.recommendationNotFound(input.recommendation_id);
      if (rec.domain !== input.domain) {
        throw WardenError.badRequest(HeimdallErrorCode.RecommendationDomainMismatch, `recommendation ${input.recommendation_id} belongs to ${rec.domain}, not ${input.domain}`);
      }
    }
    const now = this.clock.now();
    const inserted = await sqlOne<TrialRow>(
      this.dataSource,
      `WITH policy AS (SELECT domain FROM heimdall_policy WHERE domain = $2),
       trial AS (
         INSERT INTO heimdall_trial (day, domain, success, confidence, recommendation_id, correlation_id, request_digest, recorded_by, recorded_at)
         SELECT $1, policy.domain, $3, $4, $5, $6, $7, $8, $9 FROM policy
         ON CONFLICT (correlation_id) WHERE correlation_id IS NOT NULL DO NOTHING
         RETURNING *
       ),
       counted AS (
         INSERT INTO heimdall_scorecard_day AS s (day, domain, trials, successes, confidence_sum, updated_at)
         SELECT day, domain, 1, CASE WHEN success THEN 1 ELSE 0 END, confidence, recorded_at FROM trial
         ON CONFLICT (day, domain) DO UPDATE SET
           trials = s.trials + 1, successes = s.successes + EXCLUDED.successes,
           confidence_sum = s.confidence_sum + EXCLUDED.confidence_sum, updated_at = EXCLUDED.updated_at
         RETURNING 1
       )
       SELECT ${TRIAL_COLUMNS} FROM trial`,
      [utcDay(now), input.domain, input.success, confidence, input.recommendation_id ?? null, correlationId, digest, principal.name, now],
    );
    let row = inserted;
    if (!row && correlationId) row = await this.trialReplay(correlationId, digest);
    if (!row) throw HeimdallErrors.unknownDomain(input.domain);
    if (inserted) this.metrics.decision(HEIMDALL_LEVER, 'trial_recorded');
    return toTrial(row);
  }

  private async trialReplay(correlationId: string, digest: string): Promise<TrialRow | undefined> {
    const existing = await sqlOne<TrialRow>(this.dataSource, `SELECT ${TRIAL_COLUMNS} FROM heimdall_trial WHERE correlation_id = $1`, [correlationId]);
    if (existing && existing.request_digest !== digest) throw HeimdallErrors.idempotencyConflict('trial', correlationId);
    return existing;
  }

  // ---------------------------------------------------------------- recommendations

  /**
   * Creates a recommendation, gated at creation. The recommendation and its decision event are
   * written by one statement: neither exists without the other.
   */
  async recommend(principal: Principal, input: RecommendInput, headerKey?: string): Promise<Recommendation> {
    const confidence = ratio(input.confidence, 'confidence');
    assertDomainAllowed(principal, input.domain);
    const correlationId = idempotencyKey(input.correlation_id, headerKey);
    const payload = input.payload ?? null;
    const digest = digestOf(['recommendation', input.domain, confidence, payload]);
    if (correlationId) {
      const replay = await this.recommendationReplay(correlationId, digest);
      if (replay) return toRecommendation(replay);
    }
    // The cached control-plane row; 503 governance_unavailable when it cannot be read.
    const killSwitchEngaged = await this.goLive.killSwitchEngaged();
    const now = this.clock.now();
    const [card] = await this.windowRows(this.dataSource, utcDay(now), input.domain);
    if (!card) throw HeimdallErrors.unknownDomain(input.domain);
    const window = { trials: Number(card.trials), successes: Number(card.successes) };
    const decision = evaluateGates({ policy: gatePolicy(card), window, confidence, killSwitchEngaged });
    const inserted = await sqlOne<RecommendationRow>(
      this.dataSource,
      `WITH rec AS (
         INSERT INTO heimdall_recommendation
           (domain, confidence, payload, correlation_id, request_digest, prod_eligible, gate_reason, reason_codes, gates, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (correlation_id) WHERE correlation_id IS NOT NULL DO NOTHING
         RETURNING *
       ),
       event AS (
         INSERT INTO heimdall_event (at, day, kind, domain, recommendation_id, outcome, principal, details)
         SELECT $11, $12, 'recommendation.created', domain, id, gate_reason, $10, $13 FROM rec
       )
       SELECT ${RECOMMENDATION_COLUMNS} FROM rec`,
      [
        input.domain,
        confidence,
        payload === null ? null : JSON.stringify(payload),
        correlationId,
        digest,
        decision.prod_eligible,
        decision.gate_reason,
        decision.reason_codes,
        JSON.stringify(decision.gates),
        principal.name,
        now,
        utcDay(now),
        { confidence, prod_eligible: decision.prod_eligible, reason_codes: decision.reason_codes, window, gates: decision.gates },
      ],
    );
    if (!inserted) return toRecommendation((await this.recommendationReplay(correlationId!, digest))!); // lost a same-key race
    this.metrics.decision(HEIMDALL_LEVER, `recommend_${decision.gate_reason}`);
    return toRecommendation(inserted);
  }

  private async recommendationReplay(correlationId: string, digest: string): Promise<RecommendationRow | undefined> {
    const existing = await sqlOne<RecommendationRow>(this.dataSource, `SELECT ${RECOMMENDATION_COLUMNS} FROM heimdall_recommendation WHERE correlation_id = $1`, [
      correlationId,
    ]);
    if (existing && existing.request_digest !== digest) throw HeimdallErrors.idempotencyConflict('recommendation', correlationId);
    return existing;
  }

  /**
   * Re-evaluates a recommendation now — current policy, current scorecard window, kill switch —
   * and records the check. Returns the decision whether or not it is eligible.
   */
  async checkProdEligible(recommendationId: string, principal: Principal = SYSTEM_PRINCIPAL, input: { actor?: string; correlation_id?: string } = {}): Promise<Eligibility> {
    if (!UUID.test(recommendationId)) throw HeimdallErrors.recommendationNotFound(recommendationId);
    // Unreadable control plane: 503 governance_unavailable, never an eligible answer.
    const killSwitchEngaged = (await this.goLive.current()).kill_switch_engaged;
    const now = this.clock.now();
    const day = utcDay(now);
    // The recommendation, its domain's policy and the window's counters, in one read.
    const rec = await sqlOne<ScorecardRow & { id: string; confidence: string }>(
      this.dataSource,
      `SELECT r.id, r.confidence::text AS confidence, p.domain, p.min_confidence::text AS min_confidence, p.min_trials,
              p.min_success_rate::text AS min_success_rate, p.prod_use_enabled, p.window_days, p.updated_by, p.updated_at,
              coalesce(sum(d.trials), 0)::text AS trials, coalesce(sum(d.successes), 0)::text AS successes
       FROM heimdall_recommendation r
       JOIN heimdall_policy p ON p.domain = r.domain
       LEFT JOIN heimdall_scorecard_day d ON d.domain = p.domain AND d.day BETWEEN $2::date - (p.window_days - 1) AND $2::date
       WHERE r.id = $1
       GROUP BY r.id, p.domain`,
      [recommendationId, day],
    );
    if (!rec) throw HeimdallErrors.recommendationNotFound(recommendationId);
    assertDomainAllowed(principal, rec.domain);
    const confidence = normalizeRatio(rec.confidence)!;
    const window = { trials: Number(rec.trials), successes: Number(rec.successes) };
    const decision = evaluateGates({ policy: gatePolicy(rec), window, confidence, killSwitchEngaged });
    await this.event(this.dataSource.manager, now, {
      kind: 'recommendation.checked',
      domain: rec.domain,
      recommendationId: rec.id,
      outcome: decision.gate_reason,
      principal,
      details: {
        prod_eligible: decision.prod_eligible,
        reason_codes: decision.reason_codes,
        window,
        gates: decision.gates,
        actor: input.actor ?? null,
        correlation_id: input.correlation_id ?? null,
      },
    });
    this.metrics.decision(HEIMDALL_LEVER, `check_${decision.gate_reason}`);
    return { recommendation_id: rec.id, domain: rec.domain, confidence: Number(confidence), ...decision, checked_at: now.toISOString() };
  }

  /**
   * The in-process gate for engines: resolves with the fresh decision when the recommendation may
   * reach production now; otherwise throws 403 `heimdall_gate_failed` (or `kill_switch_engaged`)
   * with every failing reason code and gate. The check is recorded either way.
   */
  async requireProdEligible(
    recommendationId: string,
    principal: Principal = SYSTEM_PRINCIPAL,
    input: { actor?: string; correlation_id?: string } = {},
  ): Promise<Eligibility> {
    const eligibility = await this.checkProdEligible(recommendationId, principal, input);
    if (!eligibility.prod_eligible) {
      throw HeimdallErrors.refused(eligibility.reason_codes, {
        recommendation_id: eligibility.recommendation_id,
        domain: eligibility.domain,
        gate_reason: eligibility.gate_reason,
        gates: eligibility.gates,
        checked_at: eligibility.checked_at,
      });
    }
    return eligibility;
  }

  /** Newest first; `cursor` is the previous page's next_cursor. Eligibility filters on the decision at creation. */
  async listRecommendations(query: RecommendationQuery): Promise<{ items: Recommendation[]; next_cursor: string | null }> {
    const limit = query.limit ?? 50;
    const rows = await sqlRows<RecommendationRow>(
      this.dataSource,
      `SELECT ${RECOMMENDATION_COLUMNS} FROM heimdall_recommendation
       WHERE ($1::text IS NULL OR domain = $1) AND ($2::boolean IS NULL OR prod_eligible = $2) AND ($3::bigint IS NULL OR seq < $3)
       ORDER BY seq DESC LIMIT $4`,
      [query.domain ?? null, query.prod_eligible ?? null, query.cursor ?? null, limit],
    );
    return { items: rows.map(toRecommendation), next_cursor: rows.length === limit ? rows[rows.length - 1].seq : null };
  }

  /** One recommendation with every later check of it. */
  async getRecommendation(id: string): Promise<Recommendation & { checks: Array<{ at: string; outcome: string; principal: string; prod_eligible: boolean }> }> {
    if (!UUID.test(id)) throw HeimdallErrors.recommendationNotFound(id);
    const row = await sqlOne<RecommendationRow>(this.dataSource, `SELECT ${RECOMMENDATION_COLUMNS} FROM heimdall_recommendation WHERE id = $1`, [id]);
    if (!row) throw HeimdallErrors.recommendationNotFound(id);
    const checks = await sqlRows<{ at: Date; outcome: string; principal: string; prod_eligible: boolean }>(
      this.dataSource,
      `SELECT at, outcome, principal, (details->>'prod_eligible')::boolean AS prod_eligible FROM heimdall_event
       WHERE recommendation_id = $1 AND kind = 'recommendation.checked' ORDER BY id`,
      [id],
    );
    return { ...toRecommendation(row), checks: checks.map((c) => ({ ...c, at: new Date(c.at).toISOString() })) };
  }

  // ---------------------------------------------------------------- scorecard

  /** Today's scorecard (window ending today, UTC, by the injected clock), per domain, with each gate's distance. */
  async scorecard(domain?: string): Promise<Scorecard> {
    const killSwitchEngaged = await this.goLive.killSwitchEngaged();
    const now = this.clock.now();
    const day = utcDay(now);
    const rows = await this.windowRows(this.dataSource.manager, day, domain);
    if (domain && rows.length === 0) throw HeimdallErrors.unknownDomain(domain);
    return { day, as_of: now.toISOString(), kill_switch_engaged: killSwitchEngaged, domains: rows.map((r) => scorecardDomain(r, day, killSwitchEngaged)) };
  }

  /**
   * Closes a UTC day: one `scorecard.closed` event per domain with that day's counters and the
   * window's gates as of its end, in the job's transaction (once per day, whatever the retries).
   */
  async closeScorecardDay(manager: EntityManager, day: string): Promise<{ day: string; domains: number; closed: number }> {
    const killSwitchEngaged = await this.goLive.killSwitchEngaged();
    const now = this.clock.now();
    const rows = await this.windowRows(manager, day);
    let closed = 0;
    for (const r of rows) {
      const card = scorecardDomain(r, day, killSwitchEngaged);
      const inserted = await sqlRows(
        manager,
        `INSERT INTO heimdall_event (at, day, kind, domain, outcome, principal, details)
         VALUES ($1, $2, 'scorecard.closed', $3, $4, $5, $6)
         ON CONFLICT (domain, day) WHERE kind = 'scorecard.closed' DO NOTHING RETURNING id`,
        [
          now,
          day,
          card.domain,
          card.gate_reason,
          SYSTEM_PRINCIPAL.name,
          {
            day_counts: card.today,
            window: { from: card.window_from, to: card.window_to, trials: card.trials, successes: card.successes, confidence_sum: card.confidence_sum },
            success_rate: card.success_rate,
            avg_confidence: card.avg_confidence,
            policy: card.policy,
            prod_eligible: card.prod_eligible,
            reason_codes: card.reason_codes,
            gates: card.gates,
            summary: card.summary,
          },
        ],
      );
      closed += inserted.length;
    }
    this.metrics.decision(HEIMDALL_LEVER, 'scorecard_closed', closed);
    return { day, domains: rows.length, closed };
  }

  /** The closed-day snapshots of one domain (or all), newest first. */
  async closedDays(domain: string | undefined, limit = 31): Promise<Array<{ day: string; domain: string; outcome: string; details: Record<string, unknown> }>> {
    return sqlRows(
      this.dataSource,
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, domain, outcome, details FROM heimdall_event
       WHERE kind = 'scorecard.closed' AND ($1::text IS NULL OR domain = $1) ORDER BY day DESC, domain LIMIT $2`,
      [domain ?? null, limit],
    );
  }

  // ---------------------------------------------------------------- internals

  private windowRows(manager: Pick<EntityManager, 'query'>, day: string, domain?: string): Promise<ScorecardRow[]> {
    return sqlRows<ScorecardRow>(
      manager,
      `SELECT p.domain, p.min_confidence::text AS min_confidence, p.min_trials, p.min_success_rate::text AS min_success_rate,
              p.prod_use_enabled, p.window_days, p.updated_by, p.updated_at,
              coalesce(sum(d.trials), 0)::text AS trials, coalesce(sum(d.successes), 0)::text AS successes,
              coalesce(sum(d.confidence_sum), 0)::text AS confidence_sum,
              coalesce(sum(d.trials) FILTER (WHERE d.day = $1::date), 0)::text AS today_trials,
              coalesce(sum(d.successes) FILTER (WHERE d.day = $1::date), 0)::text AS today_successes
       FROM heimdall_policy p
       LEFT JOIN heimdall_scorecard_day d ON d.domain = p.domain AND d.day BETWEEN $1::date - (p.window_days - 1) AND $1::date
       WHERE ($2::text IS NULL OR p.domain = $2)
       GROUP BY p.domain ORDER BY p.domain`,
      [day, domain ?? null],
    );
  }

  private async event(
    manager: EntityManager,
    at: Date,
    e: { kind: string; domain: string; recommendationId?: string; outcome?: string; principal: Principal; details: Record<string, unknown> },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO heimdall_event (at, day, kind, domain, recommendation_id, outcome, principal, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [at, utcDay(at), e.kind, e.domain, e.recommendationId ?? null, e.outcome ?? null, e.principal.name, e.details],
    );
  }
}

interface ScorecardRow extends PolicyRow, WindowRow {
  today_trials: string;
  today_successes: string;
}

function scorecardDomain(r: ScorecardRow, day: string, killSwitchEngaged: boolean): ScorecardDomain {
  const trials = Number(r.trials);
  const successes = Number(r.successes);
  const avg = trials === 0 ? null : new D(r.confidence_sum).div(trials);
  // The confidence gate judges a recommendation at the window's average confidence: what a
  // typical recommendation of this domain would get now.
  const decision = evaluateGates({
    policy: gatePolicy(r),
    window: { trials, successes },
    confidence: avg === null ? null : (normalizeRatio(avg.toDecimalPlaces(30, D.ROUND_DOWN).toFixed()) ?? null),
    killSwitchEngaged,
  });
  return {
    domain: r.domain,
    window_from: addDays(day, 1 - r.window_days),
    window_to: day,
    window_days: r.window_days,
    trials,
    successes,
    success_rate: trials === 0 ? null : successes / trials,
    avg_confidence: avg === null ? null : avg.toNumber(),
    confidence_sum: new D(r.confidence_sum).toFixed(),
    today: { trials: Number(r.today_trials), successes: Number(r.today_successes) },
    policy: toPolicy(r),
    ...decision,
    summary: summarize(r.domain, decision),
  };
}

function gatePolicy(p: PolicyRow): GatePolicy {
  return {
    minConfidence: normalizeRatio(p.min_confidence)!,
    minTrials: p.min_trials,
    minSuccessRate: normalizeRatio(p.min_success_rate)!,
    prodUseEnabled: p.prod_use_enabled,
    windowDays: p.window_days,
  };
}

function toPolicy(p: PolicyRow): HeimdallPolicy {
  return {
    domain: p.domain,
    min_confidence: Number(p.min_confidence),
    min_trials: p.min_trials,
    min_success_rate: Number(p.min_success_rate),
    prod_use_enabled: p.prod_use_enabled,
    window_days: p.window_days,
    updated_by: p.updated_by,
    updated_at: new Date(p.updated_at).toISOString(),
  };
}

function toTrial(t: TrialRow): Trial {
  return {
    id: t.id,
    domain: t.domain,
    day: t.day,
    success: t.success,
    confidence: Number(t.confidence),
    recommendation_id: t.recommendation_id,
    correlation_id: t.correlation_id,
    recorded_by: t.recorded_by,
    recorded_at: new Date(t.recorded_at).toISOString(),
  };
}

function toRecommendation(r: RecommendationRow): Recommendation {
  return {
    id: r.id,
    domain: r.domain,
    confidence: Number(r.confidence),
    payload: r.payload,
    correlation_id: r.correlation_id,
    prod_eligible: r.prod_eligible,
    gate_reason: r.gate_reason,
    reason_codes: r.reason_codes,
    gates: r.gates,
    created_by: r.created_by,
    created_at: new Date(r.created_at).toISOString(),
  };
}

/** In-process callers may pass numbers: the same normalization as the HTTP layer. */
function ratio(value: string | number, field: string): string {
  const r = normalizeRatio(value);
  if (r === undefined) throw WardenError.badRequest(PlatformErrorCode.ValidationFailed, `invalid ${field}: must be a number in [0, 1]`, { fields: [{ field }] });
  return r;
}

/** A stable digest of a request: same body, same digest, whatever the key order of a payload. */
function digestOf(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
