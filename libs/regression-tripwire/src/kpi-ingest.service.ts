import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock, isRestricted, MetricsService, type Principal } from '#platform';
import { assignIds, type KpiInput, planKpiBatch, sameEvent } from './decide/kpi-batch.js';
import { kindsMixed, normalizeKpiRequest, type RecordKpiRequestDto, RecordKpiResponseDto } from './dto/kpi.dto.js';
import { KpiEventRepository, type RecordedKpiRow } from './kpi-event.repository.js';
import { REGRESSION_TRIPWIRE } from './regression-tripwire.lever.js';
import { RegressionErrors } from './regression-tripwire.errors.js';
import { RegressionPolicyRepository } from './regression-policy.repository.js';
import { assertTripwireFeedAllowed } from './decide/reach.js';

const noun = (kind: string) => (kind === 'success_rate' ? 'success' : 'value');

/** KPI ingestion: validates a single event or a batch, checks the caller's binding, records all or nothing, idempotently. */
@Injectable()
export class KpiIngestService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly kpis: KpiEventRepository,
    private readonly policies: RegressionPolicyRepository,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Records one event or a batch, all or nothing: every event is validated first, then one
   * transaction locks each stream's kind, inserts the new events and checks every retried
   * correlation_id against what it recorded before (a different event under the same key: 409,
   * and nothing of the batch is recorded).
   */
  async record(principal: Principal, body: RecordKpiRequestDto, idempotencyKeyHeader?: string): Promise<RecordKpiResponseDto> {
    const events = normalizeKpiRequest(body, idempotencyKeyHeader);
    await this.assertMayFeed(principal, events);
    const plan = planKpiBatch(events);
    if ('problem' in plan) {
      if (plan.problem === 'kinds_mixed') throw kindsMixed(plan.index, plan.stream);
      throw RegressionErrors.raise('idempotency_conflict', `correlation_id ${plan.correlation_id} appears twice in the batch with different events`);
    }

    const now = this.clock.now();
    const result = await this.dataSource.transaction(async (m) => {
      // Each stream has one kind: the batch agrees with itself (planKpiBatch), and with what the stream was locked to by its first event.
      const wanted = new Map(plan.streams.map((s) => [`${s.domain}/${s.metric}`, s.kind]));
      for (const l of await this.kpis.streamKinds(m, plan.streams, now)) {
        const kind = wanted.get(`${l.domain}/${l.metric}`)!;
        if (kind !== l.kind) {
          throw RegressionErrors.raise('kpi_kind_mismatch', `${l.domain}/${l.metric} is a ${l.kind} stream: its events carry ${noun(l.kind)}, not ${noun(kind)}`);
        }
      }

      const inserted = await this.kpis.insert(m, plan.unique, now, principal.name);
      const insertedKeys = new Set(inserted.map((r) => r.correlation_id).filter((k) => k !== null));
      const retried = plan.unique.filter((e) => e.correlation_id !== null && !insertedKeys.has(e.correlation_id));
      const originals = new Map<string, RecordedKpiRow>();
      if (retried.length) {
        for (const r of await this.kpis.byCorrelationIds(m, retried.map((e) => e.correlation_id!))) originals.set(r.correlation_id!, r);
        for (const e of retried) {
          const original = originals.get(e.correlation_id!);
          if (!original || !sameEvent(original, e)) {
            throw RegressionErrors.raise('idempotency_conflict', `correlation_id ${e.correlation_id} was already recorded with a different event`, {
              details: { correlation_id: e.correlation_id },
            });
          }
        }
      }
      return { ids: assignIds(events, plan, inserted.map((r) => r.id), originals), recorded: inserted.length };
    });
    this.metrics.decision(REGRESSION_TRIPWIRE.name, 'kpi_recorded', result.recorded);
    return RecordKpiResponseDto.from(events, result.ids, result.recorded);
  }

  /**
   * Each stream the events feed must be covered by the caller's binding (docs/auth.md): its
   * tripwire's action and target engine decide. One refused stream refuses the whole batch.
   */
  async assertMayFeed(principal: Principal, events: readonly KpiInput[]): Promise<void> {
    if (!isRestricted(principal)) return;
    const streams = new Map<string, { domain: string; metric: string }>();
    for (const e of events) streams.set(`${e.domain}/${e.metric}`, { domain: e.domain, metric: e.metric });
    const byStream = new Map((await this.policies.reaches([...streams.values()])).map((p) => [`${p.domain}/${p.metric}`, p]));
    for (const [key, { domain, metric }] of streams) {
      assertTripwireFeedAllowed(principal, byStream.get(key) ?? { domain, metric, action: null, target_engine: domain });
    }
  }
}
