import { Injectable } from '@nestjs/common';
import { DecisionOutcomes, type GaugeSample, StateGauge } from '#platform';
import { GO_LIVE } from './go-live.lever.js';
import type { Admission } from './decide/admission.js';
import type { GoLiveChange } from './go-live.notifications.js';
import { GoLiveService } from './go-live.service.js';

const CHANGES: readonly GoLiveChange[] = ['enable', 'disable', 'kill_switch.engage', 'kill_switch.release'];
const REFUSALS: ReadonlyArray<Extract<Admission, { allowed: false }>['code']> = ['go_live_disabled', 'kill_switch_engaged'];

/** Every outcome the go-live lever counts in warden_decisions_total (zero until it happens). */
export const GO_LIVE_DECISION_OUTCOMES: readonly string[] = [
  ...CHANGES,
  ...REFUSALS,
  'enable_refused',
  'release_requested',
  'governance_unavailable',
];

const flag = (v: boolean | undefined): GaugeSample[] => (v === undefined ? [] : [{ value: v ? 1 : 0 }]);

/**
 * The go-live lever's gauges, read from the control-plane row this instance already holds in
 * memory (refreshed by NOTIFY and its periodic read): a scrape costs no query.
 */
@Injectable()
@DecisionOutcomes(GO_LIVE, GO_LIVE_DECISION_OUTCOMES)
export class GoLiveMetrics {
  constructor(private readonly goLive: GoLiveService) {}

  @StateGauge({ name: 'warden_go_live_enabled', help: "1 when go-live is enabled (this instance's copy of the control-plane row)" })
  enabled(): GaugeSample[] {
    return flag(this.goLive.lastKnown()?.go_live_enabled);
  }

  @StateGauge({ name: 'warden_kill_switch_engaged', help: "1 when the kill switch is engaged (this instance's copy of the control-plane row)" })
  killSwitchEngaged(): GaugeSample[] {
    return flag(this.goLive.lastKnown()?.kill_switch_engaged);
  }

  @StateGauge({ name: 'warden_go_live_enforced', help: '1 when the go-live middleware enforces (ENV=production or GO_LIVE_ENFORCE)' })
  enforced(): GaugeSample[] {
    return flag(this.goLive.enforced);
  }

  @StateGauge({
    name: 'warden_go_live_state_fresh',
    help: "1 when this instance's copy of the control-plane row is within its staleness bound; 0 = PROD_EXEC fails closed unless the database answers",
  })
  stateFresh(): GaugeSample[] {
    return flag(this.goLive.fresh() !== undefined);
  }
}
