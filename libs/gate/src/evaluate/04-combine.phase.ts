import { combineVerdict, type CombinedVerdict } from '../decide/combine.js';
import type { LeverReadings } from './02-read-levers.phase.js';
import type { PolicyJudgement } from './03-apply-policy.phase.js';

/**
 * Phase 4: combine once. The judged steps in trace order; the strictest verdict wins
 * (block > require_approval > dry_run > allow) and every step's reason codes join. The result is
 * frozen: the approval and reserve phases add their own steps to a new value, none edits this one.
 */
export function combine(readings: LeverReadings, policy: PolicyJudgement): CombinedVerdict {
  const steps = [readings.goLive, policy.policyStep, readings.risk, readings.heimdall, readings.engineThrottle];
  if (policy.trustStep) steps.push(policy.trustStep);
  return combineVerdict(steps);
}
