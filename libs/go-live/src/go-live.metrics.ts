import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MetricsService } from '#platform';
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

/**
 * The go-live lever's gauges, read from the control-plane row this instance already holds in
 * memory (refreshed by NOTIFY and its periodic read): a scrape costs no query.
 */
@Injectable()
export class GoLiveMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly goLive: GoLiveService,
  ) {}

  onModuleInit(): void {
    this.metrics.registerDecisionOutcomes('go_live', GO_LIVE_DECISION_OUTCOMES);
    const flag = (name: string, help: string, value: () => boolean | undefined) =>
      this.metrics.registerStateGauge({
        name,
        help,
        read: () => {
          const v = value();
          return v === undefined ? [] : [{ value: v ? 1 : 0 }];
        },
      });
    flag('warden_go_live_enabled', '1 when go-live is enabled (this instance\'s copy of the control-plane row)', () => this.goLive.lastKnown()?.go_live_enabled);
    flag('warden_kill_switch_engaged', '1 when the kill switch is engaged (this instance\'s copy of the control-plane row)', () => this.goLive.lastKnown()?.kill_switch_engaged);
    flag('warden_go_live_enforced', '1 when the go-live middleware enforces (ENV=production or GO_LIVE_ENFORCE)', () => this.goLive.enforced);
    flag(
      'warden_go_live_state_fresh',
      '1 when this instance\'s copy of the control-plane row is within its staleness bound; 0 = PROD_EXEC fails closed unless the database answers',
      () => this.goLive.fresh() !== undefined,
    );
  }
}
