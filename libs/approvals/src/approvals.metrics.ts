import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { Clock, MetricsService } from '#platform';
import { ApprovalsRepository } from './approvals.repository.js';

/** The lever's metrics, on the app's registry: requests and decisions by kind and outcome, pending now. */
@Injectable()
export class ApprovalsMetrics {
  readonly requests: Counter<'kind'>;
  readonly decisions: Counter<'kind' | 'outcome'>;

  constructor(metrics: MetricsService, repo: ApprovalsRepository, clock: Clock) {
    this.requests = new Counter({
      name: 'warden_approval_requests_total',
      help: 'Approval requests filed, by kind',
      labelNames: ['kind'] as const,
      registers: [metrics.registry],
    });
    this.decisions = new Counter({
      name: 'warden_approval_decisions_total',
      help: 'Approval decisions by kind and outcome (approve, reject, cancelled, expired, consumed, or the refusal code)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [metrics.registry],
    });
    new Gauge({
      name: 'warden_approvals_pending',
      help: 'Approval requests pending and not yet expired',
      registers: [metrics.registry],
      async collect() {
        this.set(await repo.pendingCount(clock.now()).catch(() => -1));
      },
    });
  }
}
