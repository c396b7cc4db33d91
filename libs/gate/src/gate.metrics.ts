import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '#platform';
import { GATE } from './gate.lever.js';

/** The gate's metrics on the app's registry: every stored decision by verdict, rollout mode and simulate. */
@Injectable()
export class GateMetrics {
  readonly decisions: Counter<'verdict' | 'mode' | 'simulate' | 'would_have_blocked'>;

  constructor(private readonly metrics: MetricsService) {
    this.decisions = new Counter({
      name: 'warden_gate_decisions_total',
      help: 'Gate decisions by verdict, rollout mode (none when no policy was active), simulate and would_have_blocked',
      labelNames: ['verdict', 'mode', 'simulate', 'would_have_blocked'] as const,
      registers: [metrics.registry],
    });
  }

  decided(verdict: string, mode: string | null, simulate: boolean, wouldHaveBlocked: boolean): void {
    this.decisions.inc({ verdict, mode: mode ?? 'none', simulate: String(simulate), would_have_blocked: String(wouldHaveBlocked) });
    this.metrics.decision(GATE.name, simulate ? `simulate_${verdict}` : verdict);
  }
}
