import { Injectable } from '@nestjs/common';
import { DecisionOutcomes } from '#platform';
import { GateReason } from './decide/gates.js';
import { HEIMDALL } from './heimdall.lever.js';

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
@DecisionOutcomes(HEIMDALL, HEIMDALL_DECISION_OUTCOMES)
export class HeimdallMetrics {}
