import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { GoLiveChecklistRegistry, GoLiveService } from '#go-live';
import {
  assertTripwireEvaluateAllowed,
  assertTripwireFeedAllowed,
  AuditService,
  Clock,
  isRestricted,
  MetricsService,
  type Principal,
  sqlOne,
  sqlRows,
  WardenError,
} from '#platform';
import { RiskGuardService } from '#risk-guard';
import { detect, type DetectorKind, type Verdict } from './decide/detector.js';
import type {
  ActionOutcomeDto,
  BaselineResetRequestDto,
  EvaluationResponseDto,
  EventsQueryDto,
  RegressionEventResponseDto,
  RegressionStateResponseDto,
  StateQueryDto,
} from './dto/evaluation.dto.js';
import { type KpiInput, normalizeKpiRequest, type RecordKpiRequestDto, type RecordKpiResponseDto } from './dto/kpi.dto.js';
import { RegressionPolicyResponseDto, type RegressionPolicyRow, type UpsertRegressionPolicyRequestDto } from './dto/policy.dto.js';
import type { RegressionAction } from './entities/regression-policy.entity.js';
import type { ActionStatus, RegressionStatus } from './entities/regression-state.entity.js';
import { RegressionErrorCode } from './regression-tripwire.errors.js';

/** The principal the tripwire acts as when it throttles an engine or engages the kill switch. */
export const TRIPWIRE_PRINCIPAL: Principal = { tokenId: 'system', name: 'regression_tripwire', role: 'admin', engines: null, domains: null };

/** Default significance level for new policies (chosen from `npm run bench:detector`, see README, "False alarms vs detection"). */
export const DEFAULT_ALPHA = 0.005;

/** A pending action not finished within this long (the evaluator died mid-way) may be retried by the next evaluation. */
const STALE_CLAIM_MS = 60_000;

const POLICY_COLUMNS = `p.domain, p.metric, p.enabled, p.window_events, p.baseline_events, p.min_events, p.max_drop_fraction, p.action,
  p.target_engine, p.alpha, p.created_at, p.updated_at, p.updated_by`;

interface StateRow {
  domain: string;
  metric: string;
  status: RegressionStatus;
  kind: DetectorKind | null;
  reason: string | null;
  detail: string | null;
  baseline: number | null;
  current: number | null;
  drop: number | null;
  p_value: number | null;
  n_baseline: number;
  n_current: number;
  last_evaluated_at: Date | null;
  evaluations: string;
  triggered_at: Date | null;
  trigger_count: number;
  action: RegressionAction | null;
  action_status: ActionStatus;
  action_claimed_at: Date | null;
  action_at: Date | null;
  action_detail: string | null;
  reset_event_id: string;
  reset_at: Date | null;
  reset_by: string | null;
  reset_reason: string | null;
}

interface EvaluationOutcome {
  policy: RegressionPolicyRow;
  verdict: Verdict;
  state: StateRow;
  /** Set when this evaluation must carry out the action (a new trigger, or a retry). */
  fire?: { triggerCount: number };
}

/**
 * The newest window + baseline events after the reset marker: a backward range scan of the primary
 * key (domain, metric, id) INCLUDE (success, value) that stops after LIMIT rows, whatever the
 * stream's history (kpi_event has no id-only index the planner could prefer; see the migration).
 */
export const WINDOW_SQL = `SELECT success, value FROM kpi_event
  WHERE domain = $1 AND metric = $2 AND id > $3
  ORDER BY id DESC
  LIMIT $4`;

const iso = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString() : null);
const subjectOf = (domain: string, metric: string) => `regression:${domain}/${metric}`;

/**
 * The regression tripwire: records KPI events, compares the newest window with the baseline before
 * it (the pure `detect`), keeps one state row per policy, and on the transition into `triggered`
 * acts once through another lever — THROTTLE through the risk guard, KILL_SWITCH through go-live.
 */
@Injectable()
export class RegressionTripwireService implements OnModuleInit {
  private readonly logger = new Logger('regression-tripwire');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly goLive: GoLiveService,
    private readonly checklist: GoLiveChecklistRegistry,
    private readonly riskGuard: RiskGuardService,
  ) {}

  onModuleInit(): void {
    this.checklist.register('required_packs_installed', 'regression_tripwire', () => this.readiness());
  }

  private async readiness(): Promise<{ ok: boolean; detail: string }> {
    const row = await sqlOne<{ total: number; enabled: number }>(
      this.dataSource,
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE enabled)::int AS enabled FROM regression_policy`,
    );
    const total = row?.total ?? 0;
    return total > 0
      ? { ok: true, detail: `${total} regression policies present (${row!.enabled} enabled)` }
      : { ok: false, detail: 'no regression policies present' };
  }

  // ---------------------------------------------------------------------------------------------
  // Policies

  async listPolicies(): Promise<RegressionPolicyResponseDto[]> {
    const rows = await sqlRows<RegressionPolicyRow>(
      this.dataSource,
      `SELECT ${POLICY_COLUMNS}, s.kind FROM regression_policy p LEFT JOIN kpi_stream s USING (domain, metric) ORDER BY p.domain, p.metric`,
    );
    return rows.map(RegressionPolicyResponseDto.from);
  }

  async upsertPolicy(principal: Principal, input: UpsertRegressionPolicyRequestDto): Promise<RegressionPolicyResponseDto> {
    const row = await this.dataSource.transaction(async (m) => {
      const before = await sqlOne<RegressionPolicyRow>(
        m,
        `SELECT ${POLICY_COLUMNS} FROM regression_policy p WHERE p.domain = $1 AND p.metric = $2 FOR UPDATE`,
        [input.domain, input.metric],
      );
      if (!before && (input.max_drop_fraction === undefined || input.action === undefined)) {
        throw WardenError.badRequest(RegressionErrorCode.InvalidPolicy, 'a new regression policy needs max_drop_fraction and action');
      }
      const next = {
        enabled: input.enabled ?? before?.enabled ?? false,
        window_events: input.window_events ?? before?.window_events ?? 50,
        baseline_events: input.baseline_events ?? before?.baseline_events ?? 200,
        min_events: input.min_events ?? before?.min_events ?? 50,
        max_drop_fraction: input.max_drop_fraction ?? before!.max_drop_fraction,
        action: input.action ?? before!.action,
        target_engine: input.target_engine ?? before?.target_engine ?? input.domain,
        alpha: input.alpha === undefined ? (before ? before.alpha : DEFAULT_ALPHA) : input.alpha,
      };
      if (next.min_events > next.window_events || next.min_events > next.baseline_events) {
        throw WardenError.badRequest(
          RegressionErrorCode.InvalidPolicy,
          `min_events (${next.min_events}) must not exceed window_events (${next.window_events}) nor baseline_events (${next.baseline_events}): the tripwire could never leave insufficient_data`,
        );
      }
      const after = await sqlOne<RegressionPolicyRow>(
        m,
        `INSERT INTO regression_policy AS p (domain, metric, enabled, window_events, baseline_events, min_events, max_drop_fraction, action, target_engine, alpha, created_at, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)
         ON CONFLICT (domain, metric) DO UPDATE SET enabled = EXCLUDED.enabled, window_events = EXCLUDED.window_events,
           baseline_events = EXCLUDED.baseline_events, min_events = EXCLUDED.min_events, max_drop_fraction = EXCLUDED.max_drop_fraction,
           action = EXCLUDED.action, target_engine = EXCLUDED.target_engine, alpha = EXCLUDED.alpha,
           updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
         RETURNING ${POLICY_COLUMNS}`,
        [
          input.domain,
          input.metric,
          next.enabled,
          next.window_events,
          next.baseline_events,
          next.min_events,
          next.max_drop_fraction,
          next.action,
          next.target_engine,
          next.alpha,
          this.clock.now(),
          principal.name,
        ],
      );
      const view = (r: RegressionPolicyRow | undefined) => (r ? { ...RegressionPolicyResponseDto.from(r), updated_at: undefined, updated_by: undefined } : null);
      await this.audit.record(m, principal, {
        action: before ? 'regression.policy.update' : 'regression.policy.create',
        subject: subjectOf(input.domain, input.metric),
        reason: input.reason,
        actorLabel: input.actor,
        details: { before: view(before), after: view(after) },
      });
      const stream = await sqlOne<{ kind: DetectorKind }>(m, `SELECT kind FROM kpi_stream WHERE domain = $1 AND metric = $2`, [input.domain, input.metric]);
      return { ...after!, kind: stream?.kind ?? null };
    });
    this.metrics.decision('regression', 'policy_upsert');
    return RegressionPolicyResponseDto.from(row);
  }

  // ---------------------------------------------------------------------------------------------
  // KPI events

  /**
   * Records one event or a batch, all or nothing: every event is validated first, then one
   * transaction locks each stream's kind, inserts the new events and checks every retried
   * correlation_id against what it recorded before (a different event under the same key: 409,
   * and nothing of the batch is recorded).
   */
  async recordKpi(principal: Principal, body: RecordKpiRequestDto, idempotencyKey?: string): Promise<RecordKpiResponseDto> {
    const events = normalizeKpiRequest(body, idempotencyKey);
    await this.assertMayFeed(principal, events);

    // The same correlation_id twice in one batch: once if identical, else a conflict.
    const byKey = new Map<string, KpiInput>();
    const unique: KpiInput[] = [];
    for (const e of events) {
      if (e.correlation_id === null) {
        unique.push(e);
        continue;
      }
      const seen = byKey.get(e.correlation_id);
      if (!seen) {
        byKey.set(e.correlation_id, e);
        unique.push(e);
      } else if (!sameEvent(seen, e)) {
        throw WardenError.conflict(RegressionErrorCode.IdempotencyConflict, `correlation_id ${e.correlation_id} appears twice in the batch with different events`);
      }
    }

    // Each stream has one kind: the batch must agree with itself...
    const kinds = new Map<string, { domain: string; metric: string; kind: DetectorKind }>();
    for (const e of unique) {
      const kind: DetectorKind = e.success !== null ? 'success_rate' : 'mean_value';
      const k = `${e.domain}/${e.metric}`;
      const seen = kinds.get(k);
      if (seen && seen.kind !== kind) {
        throw WardenError.badRequest(RegressionErrorCode.KpiKindMismatch, `${k} mixes success and value events in one batch`);
      }
      kinds.set(k, { domain: e.domain, metric: e.metric, kind });
    }

    const now = this.clock.now();
    const result = await this.dataSource.transaction(async (m) => {
      // ...and with what the stream was locked to by its first event.
      const streams = [...kinds.values()];
      await m.query(
        `INSERT INTO kpi_stream (domain, metric, kind, first_recorded_at)
         SELECT d, mt, k, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(d, mt, k)
         ON CONFLICT (domain, metric) DO NOTHING`,
        [streams.map((s) => s.domain), streams.map((s) => s.metric), streams.map((s) => s.kind), now],
      );
      const locked = await sqlRows<{ domain: string; metric: string; kind: DetectorKind }>(
        m,
        `SELECT s.domain, s.metric, s.kind FROM kpi_stream s JOIN unnest($1::text[], $2::text[]) AS t(d, mt) ON s.domain = t.d AND s.metric = t.mt`,
        [streams.map((s) => s.domain), streams.map((s) => s.metric)],
      );
      for (const l of locked) {
        const wanted = kinds.get(`${l.domain}/${l.metric}`)!.kind;
        if (wanted !== l.kind) {
          throw WardenError.conflict(
            RegressionErrorCode.KpiKindMismatch,
            `${l.domain}/${l.metric} is a ${l.kind} stream: its events carry ${l.kind === 'success_rate' ? 'success' : 'value'}, not ${wanted === 'success_rate' ? 'success' : 'value'}`,
          );
        }
      }

      const inserted = await sqlRows<{ id: string; correlation_id: string | null }>(
        m,
        `INSERT INTO kpi_event (domain, metric, success, value, correlation_id, recorded_at, recorded_by)
         SELECT d, mt, s, v, c, $6, $7
         FROM unnest($1::text[], $2::text[], $3::boolean[], $4::float8[], $5::text[]) WITH ORDINALITY AS t(d, mt, s, v, c, ord)
         ORDER BY ord
         ON CONFLICT (correlation_id) WHERE correlation_id IS NOT NULL DO NOTHING
         RETURNING id, correlation_id`,
        [
          unique.map((e) => e.domain),
          unique.map((e) => e.metric),
          unique.map((e) => e.success),
          unique.map((e) => e.value),
          unique.map((e) => e.correlation_id),
          now,
          principal.name,
        ],
      );
      const insertedKeys = new Set(inserted.filter((r) => r.correlation_id !== null).map((r) => r.correlation_id));
      const retried = unique.filter((e) => e.correlation_id !== null && !insertedKeys.has(e.correlation_id));
      const originals = new Map<string, KpiInput & { id: string }>();
      if (retried.length) {
        const rows = await sqlRows<KpiInput & { id: string }>(
          m,
          `SELECT id, domain, metric, success, value, correlation_id FROM kpi_event WHERE correlation_id = ANY($1::text[])`,
          [retried.map((e) => e.correlation_id)],
        );
        for (const r of rows) originals.set(r.correlation_id!, r);
        for (const e of retried) {
          const original = originals.get(e.correlation_id!);
          if (!original || !sameEvent(original, e)) {
            throw WardenError.conflict(
              RegressionErrorCode.IdempotencyConflict,
              `correlation_id ${e.correlation_id} was already recorded with a different event`,
              { correlation_id: e.correlation_id },
            );
          }
        }
      }
      // Ids come from one sequence in ORDER BY ord order: ascending ids follow the request's order.
      const newIds = inserted.map((r) => r.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      let next = 0;
      const idOf = new Map<KpiInput, { id: string; duplicate: boolean }>();
      for (const e of unique) {
        const original = e.correlation_id !== null ? originals.get(e.correlation_id) : undefined;
        idOf.set(e, original ? { id: original.id, duplicate: true } : { id: newIds[next++], duplicate: false });
      }
      return { idOf, recorded: inserted.length };
    });

    const out = events.map((e) => {
      const ref = e.correlation_id !== null ? byKey.get(e.correlation_id)! : e;
      const { id, duplicate } = result.idOf.get(ref)!;
      return { id, domain: e.domain, metric: e.metric, success: e.success, value: e.value, correlation_id: e.correlation_id, duplicate };
    });
    this.metrics.decision('regression', 'kpi_recorded', result.recorded);
    return { recorded: result.recorded, duplicates: events.length - result.recorded, events: out };
  }

  /**
   * Each stream the events feed must be covered by the caller's binding (docs/auth.md): its
   * tripwire's action and target engine decide. One refused stream refuses the whole batch.
   */
  private async assertMayFeed(principal: Principal, events: KpiInput[]): Promise<void> {
    if (!isRestricted(principal)) return;
    const streams = new Map<string, { domain: string; metric: string }>();
    for (const e of events) streams.set(`${e.domain}/${e.metric}`, { domain: e.domain, metric: e.metric });
    const list = [...streams.values()];
    const policies = await sqlRows<{ domain: string; metric: string; action: RegressionAction; target_engine: string }>(
      this.dataSource,
      `SELECT p.domain, p.metric, p.action, p.target_engine FROM regression_policy p
       JOIN unnest($1::text[], $2::text[]) AS t(d, mt) ON p.domain = t.d AND p.metric = t.mt`,
      [list.map((s) => s.domain), list.map((s) => s.metric)],
    );
    const byStream = new Map(policies.map((p) => [`${p.domain}/${p.metric}`, p]));
    for (const [key, { domain, metric }] of streams) {
      assertTripwireFeedAllowed(principal, byStream.get(key) ?? { domain, metric, action: null, target_engine: domain });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Evaluation

  /**
   * Evaluates one policy now. The verdict, the state row and (on a new trigger) the audit record
   * are written in one transaction holding the state row's lock, so concurrent evaluations
   * serialize and exactly one sees the transition into `triggered`. The action then runs through
   * the other lever's service in its own transaction — never inside ours — and its outcome is
   * written back; a failed action is retried by the next evaluation while the state stays triggered.
   */
  async evaluate(principal: Principal, domain: string, metric: string): Promise<EvaluationResponseDto> {
    const outcome = await this.dataSource.transaction((m) => this.evaluateIn(m, principal, domain, metric));
    this.metrics.decision('regression', outcome.verdict.status);
    let state = outcome.state;
    let fired = false;
    if (outcome.fire) {
      fired = true;
      state = await this.fire(outcome.policy, outcome.verdict, outcome.fire.triggerCount);
    }
    return this.toEvaluation(outcome.policy, outcome.verdict, state, fired);
  }

  private async evaluateIn(m: EntityManager, principal: Principal, domain: string, metric: string): Promise<EvaluationOutcome> {
    const policy = await sqlOne<RegressionPolicyRow>(m, `SELECT ${POLICY_COLUMNS} FROM regression_policy p WHERE p.domain = $1 AND p.metric = $2`, [domain, metric]);
    if (!policy) throw WardenError.notFound(RegressionErrorCode.PolicyNotFound, `no regression policy for ${domain}/${metric}`);
    // Checked against the policy this evaluation acts on, before anything is written.
    assertTripwireEvaluateAllowed(principal, policy);
    const now = this.clock.now();
    await m.query(`INSERT INTO regression_state (domain, metric, updated_at) VALUES ($1, $2, $3) ON CONFLICT (domain, metric) DO NOTHING`, [domain, metric, now]);
    const prev = (await sqlOne<StateRow>(m, `SELECT * FROM regression_state WHERE domain = $1 AND metric = $2 FOR UPDATE`, [domain, metric]))!;
    const stream = await sqlOne<{ kind: DetectorKind }>(m, `SELECT kind FROM kpi_stream WHERE domain = $1 AND metric = $2`, [domain, metric]);
    const kind: DetectorKind = stream?.kind ?? 'success_rate';

    const rows = await sqlRows<{ success: boolean | null; value: number | null }>(
      m,
      WINDOW_SQL,
      [domain, metric, prev.reset_event_id, policy.window_events + policy.baseline_events],
    );
    const values = rows.map((r) => (kind === 'success_rate' ? (r.success ? 1 : 0) : (r.value as number)));
    const verdict = detect(
      { kind, current: values.slice(0, policy.window_events), baseline: values.slice(policy.window_events) },
      { enabled: policy.enabled, min_events: policy.min_events, max_drop_fraction: policy.max_drop_fraction, alpha: policy.alpha },
    );

    const triggered = verdict.status === 'triggered';
    const entering = triggered && prev.status !== 'triggered';
    const staleClaim = prev.action_status === 'pending' && (!prev.action_claimed_at || now.getTime() - new Date(prev.action_claimed_at).getTime() > STALE_CLAIM_MS);
    const retry = triggered && !entering && (prev.action_status === 'failed' || staleClaim);
    const triggerCount = prev.trigger_count + (entering ? 1 : 0);

    const state = (await sqlOne<StateRow>(
      m,
      `UPDATE regression_state SET status = $3, kind = $4, reason = $5, detail = $6, baseline = $7, current = $8, drop = $9, p_value = $10,
         n_baseline = $11, n_current = $12, last_evaluated_at = $13, evaluations = evaluations + 1, updated_at = $13,
         triggered_at = CASE WHEN $14 THEN $13 ELSE triggered_at END,
         trigger_count = $15,
         action = CASE WHEN $14 THEN $16 ELSE action END,
         action_status = CASE WHEN $14 OR $17 THEN 'pending' ELSE action_status END,
         action_claimed_at = CASE WHEN $14 OR $17 THEN $13 ELSE action_claimed_at END,
         action_detail = CASE WHEN $14 THEN NULL ELSE action_detail END,
         action_at = CASE WHEN $14 THEN NULL ELSE action_at END
       WHERE domain = $1 AND metric = $2
       RETURNING *`,
      [
        domain,
        metric,
        verdict.status,
        kind,
        verdict.reason,
        verdict.detail,
        verdict.baseline,
        verdict.current,
        verdict.drop,
        verdict.p_value,
        verdict.n_baseline,
        verdict.n_current,
        now,
        entering,
        triggerCount,
        policy.action,
        retry,
      ],
    ))!;

    if (prev.status !== verdict.status) {
      await this.event(m, now, domain, metric, 'status_changed', principal, { status: verdict.status, details: { from: prev.status, ...figures(verdict) } });
    }
    if (entering) {
      await this.event(m, now, domain, metric, 'triggered', principal, {
        status: verdict.status,
        action: policy.action,
        details: { trigger: triggerCount, target_engine: policy.target_engine, max_drop_fraction: policy.max_drop_fraction, alpha: policy.alpha, ...figures(verdict) },
      });
      await this.audit.record(m, principal, {
        action: 'regression.triggered',
        subject: subjectOf(domain, metric),
        reason: verdict.detail,
        details: { trigger: triggerCount, action: policy.action, target_engine: policy.target_engine, ...figures(verdict) },
      });
      this.logger.warn({ msg: `tripwire ${domain}/${metric} triggered: ${verdict.detail}`, action: policy.action });
    }
    return { policy, verdict, state, fire: entering || retry ? { triggerCount } : undefined };
  }

  /** Carries out the policy's action for trigger number `triggerCount`, then records the outcome. */
  private async fire(policy: RegressionPolicyRow, verdict: Verdict, triggerCount: number): Promise<StateRow> {
    const reason = `regression_tripwire ${policy.domain}/${policy.metric}: ${verdict.detail}`;
    let ok = true;
    let detail: string;
    try {
      detail = await this.act(policy, reason);
    } catch (err) {
      ok = false;
      detail = `${policy.action} failed: ${err instanceof Error ? err.message : String(err)}`;
      this.logger.error({ msg: `tripwire ${policy.domain}/${policy.metric} action failed`, err });
    }
    const now = this.clock.now();
    const state = await this.dataSource.transaction(async (m) => {
      const updated = await sqlOne<StateRow>(
        m,
        `UPDATE regression_state SET action_status = $3, action_at = $4, action_detail = $5, updated_at = $4
         WHERE domain = $1 AND metric = $2 AND trigger_count = $6 AND action_status IN ('pending', 'failed')
         RETURNING *`,
        [policy.domain, policy.metric, ok ? 'done' : 'failed', now, detail, triggerCount],
      );
      await this.event(m, now, policy.domain, policy.metric, ok ? 'action_taken' : 'action_failed', TRIPWIRE_PRINCIPAL, {
        status: 'triggered',
        action: policy.action,
        details: { trigger: triggerCount, target_engine: policy.target_engine, detail },
      });
      await this.audit.record(m, TRIPWIRE_PRINCIPAL, {
        action: ok ? 'regression.action' : 'regression.action_failed',
        subject: subjectOf(policy.domain, policy.metric),
        reason,
        details: { trigger: triggerCount, action: policy.action, target_engine: policy.target_engine, detail },
      });
      return updated ?? (await sqlOne<StateRow>(m, `SELECT * FROM regression_state WHERE domain = $1 AND metric = $2`, [policy.domain, policy.metric]))!;
    });
    this.metrics.decision('regression', ok ? `action_${policy.action.toLowerCase()}` : 'action_failed');
    return state;
  }

  /** The effect itself, through the lever that owns it. Each is idempotent, so a retry is safe. */
  private async act(policy: RegressionPolicyRow, reason: string): Promise<string> {
    switch (policy.action) {
      case 'THROTTLE': {
        const { changed } = await this.riskGuard.disableEngine(TRIPWIRE_PRINCIPAL, policy.target_engine, reason);
        return changed ? `risk policy ${policy.target_engine} disabled` : `risk policy ${policy.target_engine} was already disabled`;
      }
      case 'KILL_SWITCH': {
        if ((await this.goLive.state()).kill_switch_engaged) return 'kill switch was already engaged';
        await this.goLive.engageKillSwitch(TRIPWIRE_PRINCIPAL, { reason });
        return 'kill switch engaged';
      }
      case 'ALERT':
        this.logger.warn({ msg: `ALERT ${reason}` });
        return 'alert recorded';
    }
  }

  /** The five-minute job: every enabled policy, plus disabled ones whose state still says otherwise. */
  async evaluateScheduled(): Promise<Record<string, unknown>> {
    const due = await sqlRows<{ domain: string; metric: string }>(
      this.dataSource,
      `SELECT p.domain, p.metric FROM regression_policy p LEFT JOIN regression_state s USING (domain, metric)
       WHERE p.enabled OR (s.status IS NOT NULL AND s.status NOT IN ('disabled', 'never_evaluated'))
       ORDER BY p.domain, p.metric`,
    );
    const results: Array<Record<string, unknown>> = [];
    for (const { domain, metric } of due) {
      try {
        const r = await this.evaluate(TRIPWIRE_PRINCIPAL, domain, metric);
        results.push({ domain, metric, status: r.status, fired: r.action.fired, action_status: r.action.status });
      } catch (err) {
        this.logger.error({ msg: `scheduled evaluation of ${domain}/${metric} failed`, err });
        results.push({ domain, metric, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return { evaluated: results.length, triggered: results.filter((r) => r.status === 'triggered').length, results };
  }

  // ---------------------------------------------------------------------------------------------
  // State and baseline reset

  async state(query: StateQueryDto = {}): Promise<RegressionStateResponseDto[]> {
    const rows = await sqlRows<StateRow & { enabled: boolean; policy_action: RegressionAction; target_engine: string }>(
      this.dataSource,
      `SELECT s.*, p.domain, p.metric, p.enabled, p.action AS policy_action, p.target_engine
       FROM regression_policy p LEFT JOIN regression_state s USING (domain, metric)
       WHERE ($1::text IS NULL OR p.domain = $1) AND ($2::text IS NULL OR p.metric = $2)
       ORDER BY p.domain, p.metric`,
      [query.domain ?? null, query.metric ?? null],
    );
    return rows.map((r) => ({
      domain: r.domain,
      metric: r.metric,
      enabled: r.enabled,
      status: r.status ?? 'never_evaluated',
      kind: r.kind ?? null,
      reason: r.reason ?? null,
      detail: r.detail ?? null,
      baseline: r.baseline ?? null,
      current: r.current ?? null,
      drop: r.drop ?? null,
      p_value: r.p_value ?? null,
      n_baseline: r.n_baseline ?? 0,
      n_current: r.n_current ?? 0,
      last_evaluated_at: iso(r.last_evaluated_at),
      evaluations: Number(r.evaluations ?? 0),
      triggered_at: iso(r.triggered_at),
      trigger_count: r.trigger_count ?? 0,
      action: r.action ?? r.policy_action,
      target_engine: r.target_engine,
      action_status: r.action_status ?? 'none',
      action_at: iso(r.action_at),
      action_detail: r.action_detail ?? null,
      reset_event_id: r.reset_event_id ?? '0',
      reset_at: iso(r.reset_at),
      reset_by: r.reset_by ?? null,
      reset_reason: r.reset_reason ?? null,
    }));
  }

  /** What the tripwire did, newest first: status changes, triggers, actions, resets (the Monday review reads this). */
  async events(query: EventsQueryDto = {}): Promise<RegressionEventResponseDto[]> {
    const rows = await sqlRows<Omit<RegressionEventResponseDto, 'at'> & { at: Date }>(
      this.dataSource,
      `SELECT id, at, domain, metric, type, status, action, principal, details FROM regression_event
       WHERE ($1::text IS NULL OR domain = $1) AND ($2::text IS NULL OR metric = $2) AND ($3::text IS NULL OR type = $3)
         AND ($4::timestamptz IS NULL OR at >= $4) AND ($5::timestamptz IS NULL OR at < $5)
       ORDER BY id DESC LIMIT $6`,
      [query.domain ?? null, query.metric ?? null, query.type ?? null, query.since ?? null, query.until ?? null, query.limit ?? 100],
    );
    return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
  }

  /**
   * The Friday ritual: events recorded so far no longer count for these policies. Nothing is
   * deleted (kpi_event is append-only): the state keeps the newest event id at reset time and the
   * window read starts after it. Each reset policy is then evaluated at once, so its state reads
   * `insufficient_data` (or `disabled`) and a later trigger acts again.
   */
  async resetBaseline(principal: Principal, input: BaselineResetRequestDto): Promise<RegressionStateResponseDto[]> {
    const policies = await this.dataSource.transaction(async (m) => {
      const found = await sqlRows<{ domain: string; metric: string }>(
        m,
        `SELECT domain, metric FROM regression_policy WHERE domain = $1 AND ($2::text IS NULL OR metric = $2) ORDER BY domain, metric`,
        [input.domain, input.metric ?? null],
      );
      if (!found.length) {
        throw WardenError.notFound(RegressionErrorCode.PolicyNotFound, `no regression policy for ${input.domain}${input.metric ? `/${input.metric}` : ''}`);
      }
      const now = this.clock.now();
      for (const { domain, metric } of found) {
        await m.query(`INSERT INTO regression_state (domain, metric, updated_at) VALUES ($1, $2, $3) ON CONFLICT (domain, metric) DO NOTHING`, [domain, metric, now]);
        const marker = await sqlOne<{ id: string }>(
          m,
          `SELECT coalesce((SELECT id FROM kpi_event WHERE domain = $1 AND metric = $2 ORDER BY id DESC LIMIT 1), 0)::text AS id`,
          [domain, metric],
        );
        const before = await sqlOne<{ reset_event_id: string }>(
          m,
          `SELECT reset_event_id FROM regression_state WHERE domain = $1 AND metric = $2 FOR UPDATE`,
          [domain, metric],
        );
        await m.query(
          `UPDATE regression_state SET reset_event_id = GREATEST(reset_event_id, $3::bigint), reset_at = $4, reset_by = $5, reset_reason = $6, updated_at = $4
           WHERE domain = $1 AND metric = $2`,
          [domain, metric, marker!.id, now, principal.name, input.reason],
        );
        await this.event(m, now, domain, metric, 'baseline_reset', principal, {
          details: { reset_event_id: marker!.id, previous_reset_event_id: before?.reset_event_id ?? '0', reason: input.reason },
        });
        await this.audit.record(m, principal, {
          action: 'regression.baseline_reset',
          subject: subjectOf(domain, metric),
          reason: input.reason,
          actorLabel: input.actor,
          details: { reset_event_id: marker!.id },
        });
      }
      return found;
    });
    this.metrics.decision('regression', 'baseline_reset', policies.length);
    for (const { domain, metric } of policies) await this.evaluate(principal, domain, metric);
    return this.state({ domain: input.domain, metric: input.metric });
  }

  // ---------------------------------------------------------------------------------------------

  private async event(
    m: EntityManager,
    at: Date,
    domain: string,
    metric: string,
    type: 'status_changed' | 'triggered' | 'action_taken' | 'action_failed' | 'baseline_reset',
    principal: Principal,
    extra: { status?: string; action?: string; details?: Record<string, unknown> },
  ): Promise<void> {
    await m.query(
      `INSERT INTO regression_event (at, domain, metric, type, status, action, principal, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [at, domain, metric, type, extra.status ?? null, extra.action ?? null, principal.name, extra.details ?? {}],
    );
  }

  private toEvaluation(policy: RegressionPolicyRow, verdict: Verdict, state: StateRow, fired: boolean): EvaluationResponseDto {
    const action: ActionOutcomeDto = {
      type: policy.action,
      target_engine: policy.target_engine,
      fired,
      status: verdict.status === 'triggered' || fired ? state.action_status : 'none',
      detail: verdict.status === 'triggered' || fired ? state.action_detail : null,
      at: verdict.status === 'triggered' || fired ? iso(state.action_at) : null,
    };
    return {
      domain: policy.domain,
      metric: policy.metric,
      status: verdict.status,
      kind: verdict.kind,
      reason: verdict.reason,
      detail: verdict.detail,
      baseline: verdict.baseline,
      current: verdict.current,
      drop: verdict.drop,
      p_value: verdict.p_value,
      n_baseline: verdict.n_baseline,
      n_current: verdict.n_current,
      max_drop_fraction: policy.max_drop_fraction,
      alpha: policy.alpha,
      reset_event_id: state.reset_event_id,
      evaluated_at: iso(state.last_evaluated_at)!,
      action,
    };
  }
}

function sameEvent(a: Pick<KpiInput, 'domain' | 'metric' | 'success' | 'value'>, b: Pick<KpiInput, 'domain' | 'metric' | 'success' | 'value'>): boolean {
  return a.domain === b.domain && a.metric === b.metric && (a.success ?? null) === (b.success ?? null) && (a.value ?? null) === (b.value ?? null);
}

function figures(v: Verdict): Record<string, unknown> {
  return { kind: v.kind, reason: v.reason, baseline: v.baseline, current: v.current, drop: v.drop, p_value: v.p_value, n_baseline: v.n_baseline, n_current: v.n_current };
}
