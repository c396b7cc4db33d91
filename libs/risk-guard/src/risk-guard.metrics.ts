import { Injectable } from '@nestjs/common';
import { DecisionOutcomes, type GaugeSample, StateGauge } from '#platform';
import { RISK_GUARD } from './risk-guard.lever.js';
import type { LedgerScopeDto } from './dto/ledger.dto.js';
import { RiskLedgerService } from './risk-ledger.service.js';

type Cap = keyof LedgerScopeDto['headroom'];
const CAPS: readonly Cap[] = ['exposure', 'open_risk', 'loss', 'actions'];

/** Every outcome the risk guard counts in warden_decisions_total (zero until it happens). */
export const RISK_DECISION_OUTCOMES: readonly string[] = [
  'allowed',
  'allowed_observed',
  'denied',
  'replay',
  'denied_replay',
  'idempotency_conflict',
  'dry_run_allowed',
  'dry_run_allowed_observed',
  'dry_run_denied',
  'settled',
  'voided',
  'settle_replay',
  'void_replay',
  'settle_conflict',
  'void_conflict',
  'policy_create',
  'policy_update',
  'settle_loss_exceeds',
  'adjust',
  'adjust_replay',
  'adjust_conflict',
  'policy_disable',
  'policy_enable',
  'unavailable',
];

/**
 * The risk guard's gauge: today's remaining capacity per engine (GLOBAL included) and cap kind,
 * read through the service's own ledger view (the figures GET /risk/ledger/today answers) once per
 * scrape. A cap that is not set (no limit) has no series.
 */
@Injectable()
@DecisionOutcomes(RISK_GUARD, RISK_DECISION_OUTCOMES)
export class RiskGuardMetrics {
  constructor(private readonly ledger: RiskLedgerService) {}

  @StateGauge({
    name: 'warden_risk_headroom',
    help: 'Remaining capacity today (UTC) per engine and cap: exposure, open_risk, loss (amounts) and actions (count); negative when a cap was lowered below use',
    labelNames: ['engine', 'cap'],
  })
  async headroom(): Promise<GaugeSample[]> {
    return (await this.ledger.ledgerToday()).engines.flatMap((e) =>
      CAPS.flatMap((cap) => {
        const left = e.headroom[cap];
        return left === null ? [] : [{ labels: { engine: e.engine, cap }, value: Number(left) }];
      }),
    );
  }
}
