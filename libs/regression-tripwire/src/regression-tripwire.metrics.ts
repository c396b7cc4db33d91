import { Injectable } from '@nestjs/common';
import { DecisionOutcomes, type GaugeSample, StateGauge } from '#platform';
import { REGRESSION_TRIPWIRE } from './regression-tripwire.lever.js';
import { REGRESSION_ACTIONS, type RegressionStatus } from './regression-tripwire.constants.js';
import { RegressionStateService } from './regression-state.service.js';

/** Every status a domain+metric can be in; the gauge has one series per status, 1 for the current one. */
export const TRIPWIRE_STATES = ['never_evaluated', 'ok', 'insufficient_data', 'triggered', 'disabled'] as const satisfies readonly RegressionStatus[];
// Fails to compile when RegressionStatus gains a member this list lacks.
const _allStates: Exclude<RegressionStatus, (typeof TRIPWIRE_STATES)[number]> extends never ? true : never = true;
void _allStates;

/** Every outcome the tripwire counts in warden_decisions_total (zero until it happens). */
export const REGRESSION_DECISION_OUTCOMES: readonly string[] = [
  'policy_create',
  'policy_update',
  'kpi_recorded',
  'ok',
  'triggered',
  'insufficient_data',
  'disabled',
  ...REGRESSION_ACTIONS.map((a) => `action_${a.toLowerCase()}`),
  'action_failed',
  'baseline_reset',
];

/**
 * The tripwire's gauge, as a Prometheus state set: for each domain+metric with a policy, one series
 * per state, 1 for the one it is in. One query per scrape (the same read as GET /regression/state).
 */
@Injectable()
@DecisionOutcomes(REGRESSION_TRIPWIRE, REGRESSION_DECISION_OUTCOMES)
export class RegressionTripwireMetrics {
  constructor(private readonly tripwire: RegressionStateService) {}

  @StateGauge({
    name: 'warden_tripwire_state',
    help: `Regression tripwire state per domain and metric: 1 for the current state, 0 for the others (${TRIPWIRE_STATES.join(', ')})`,
    labelNames: ['domain', 'metric', 'state'],
  })
  async states(): Promise<GaugeSample[]> {
    return (await this.tripwire.state()).flatMap((s) =>
      TRIPWIRE_STATES.map((state) => ({ labels: { domain: s.domain, metric: s.metric, state }, value: s.status === state ? 1 : 0 })),
    );
  }
}
