import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MetricsService } from '#platform';
import { GateReason } from './decide/gates.js';
import { HEIMDALL_LEVER } from './heimdall.constants.js';

const REASONS = Object.values(GateReason);

/** Every outcome Heimdall counts in warden_decisions_total (zero until it happens). */
export const HEIMDALL_DECISION_OUTCOMES: readonly string[] = [
  'policy_create',
  'policy_update',
  'trial_recorded',
  ...REASONS.map((r) => `recommend_${r}`),
  ...REASONS.map((r) => `check_${r}`),
  'scorecard_closed',
];

/** Heimdall's contribution to /metrics: its decision counters, present at zero from the start. */
@Injectable()
export class HeimdallMetrics implements OnModuleInit {
  constructor(private readonly metrics: MetricsService) {}

  onModuleInit(): void {
    this.metrics.registerDecisionOutcomes(HEIMDALL_LEVER, HEIMDALL_DECISION_OUTCOMES);
  }
}
