import { Injectable, Logger } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { GoLiveService } from '#go-live';
import { assertEngineAllowed, Clock, MetricsService, type Principal, utcDay } from '#platform';
import { decideReservation, type ScopePolicy, type ScopeUsage, ZERO_USAGE } from './decide/decide.js';
import { scopeHeadroom, trimDecimal } from './decide/headroom.js';
import type { WhatIfResponseDto } from './dto/reserve.dto.js';
import { RiskErrors } from './risk-guard.errors.js';
import { amountOf, engineName, failClosed, GLOBAL_ENGINE } from './risk-guard.input.js';
import { RiskLedgerRepository } from './risk-ledger.repository.js';
import type { LedgerRow } from './risk-ledger.rows.js';
import { type PolicyRow, RiskPolicyRepository } from './risk-policy.repository.js';

/**
 * What would a reservation get now? Reads today's GLOBAL and engine rows and applies the pure rule
 * (decideReservation); writes, reserves, records and counts nothing. Also the settle-bound pre-check.
 */
@Injectable()
export class RiskWhatIfService {
  private readonly logger = new Logger('risk-guard');

  constructor(
    private readonly ledger: RiskLedgerRepository,
    private readonly policies: RiskPolicyRepository,
    private readonly clock: Clock,
    private readonly goLive: GoLiveService,
    private readonly metrics: MetricsService,
  ) {}

  /** Never throws a denial (for what-if callers such as the gate). Bad input still throws 400. */
  async whatIf(input: { engine: string; amount: string | number; principal?: Principal }): Promise<WhatIfResponseDto> {
    const engine = engineName(input.engine);
    const amount = amountOf(input.amount, 'amount', false);
    if (input.principal) assertEngineAllowed(input.principal, engine);
    return this.evaluate(engine, amount);
  }

  /** The rule applied to today's rows, for a valid engine and canonical amount. */
  async evaluate(engine: string, amount: string): Promise<WhatIfResponseDto> {
    const day = utcDay(this.clock.now());
    const [scopes, killSwitch] = await Promise.all([this.ledger.scopes(day, engine), this.goLive.killSwitchEngaged()]).catch((err: unknown) => {
      throw failClosed(err, 'evaluation', this.logger, this.metrics);
    });
    const global = scopes.find((s) => s.engine === GLOBAL_ENGINE);
    const own = scopes.find((s) => s.engine === engine);
    const decision = decideReservation({
      amount,
      killSwitchEngaged: killSwitch,
      global: { policy: global ? toScopePolicy(global) : null, usage: global?.usage ? toUsage(global.usage) : ZERO_USAGE },
      engine: { policy: own ? toScopePolicy(own) : null, usage: own?.usage ? toUsage(own.usage) : ZERO_USAGE },
    });
    return {
      allowed: decision.outcome !== 'denied',
      outcome: decision.outcome,
      engine,
      amount,
      day,
      reason_codes: decision.reasonCodes,
      details: { engine, amount, day, global: global ? scopeJson(global, global.usage) : null, engine_scope: own ? scopeJson(own, own.usage) : null },
    };
  }

  /**
   * The most a settle may book on a reservation of `amount` for `engine` (amount x the lower of the
   * engine's and GLOBAL's max_loss_multiple); throws 422 loss_exceeds_reservation when `loss` is above it.
   * For callers that reserve and settle in one go (the deals example) to refuse before reserving.
   */
  async assertLossWithinBound(engine: string, amount: string | number, loss: string | number): Promise<void> {
    const name = engineName(engine);
    const reserved = amountOf(amount, 'amount', false);
    const booked = amountOf(loss, 'realized_loss', true);
    const rows = await Promise.all([this.policies.policy(name), this.policies.policy(GLOBAL_ENGINE)]).catch((err: unknown) => {
      throw failClosed(err, 'policy read', this.logger, this.metrics);
    });
    const multiple = Decimal.min(...rows.map((p) => new Decimal(p?.max_loss_multiple ?? '1')));
    const max = new Decimal(reserved).times(multiple);
    if (new Decimal(booked).gt(max)) {
      throw RiskErrors.raise('loss_exceeds_reservation', `realized_loss ${booked} exceeds amount ${reserved} x max_loss_multiple = ${max.toFixed()}`, {
        reasonCodes: ['loss_exceeds_reservation'],
        details: { engine: name, amount: reserved, max_loss: max.toFixed(), realized_loss: booked, recorded: false },
      });
    }
  }
}

function toScopePolicy(p: PolicyRow): ScopePolicy {
  return {
    enabled: p.enabled,
    enforcementMode: p.enforcement_mode,
    maxDailyExposure: p.max_daily_exposure,
    maxOpenRisk: p.max_open_risk,
    maxDailyLoss: p.max_daily_loss,
    maxActionsPerDay: p.max_actions_per_day,
  };
}

function toUsage(l: LedgerRow): ScopeUsage {
  return { exposureUsed: l.exposure_used, openRiskReserved: l.open_risk_reserved, realizedLoss: l.realized_loss, actionsCount: Number(l.actions_count) };
}

/** Same shape as the SQL risk_scope_json (denial details). */
function scopeJson(p: PolicyRow, l: LedgerRow | null) {
  const u = l ? toUsage(l) : ZERO_USAGE;
  const usage = {
    exposure_used: trimDecimal(String(u.exposureUsed)),
    open_risk_reserved: trimDecimal(String(u.openRiskReserved)),
    realized_loss: trimDecimal(String(u.realizedLoss)),
    actions_count: u.actionsCount,
  };
  return {
    engine: p.engine,
    enabled: p.enabled,
    enforcement_mode: p.enforcement_mode,
    disabled_reason: p.disabled_reason,
    caps: { max_daily_exposure: p.max_daily_exposure, max_open_risk: p.max_open_risk, max_daily_loss: p.max_daily_loss, max_actions_per_day: p.max_actions_per_day },
    usage,
    headroom: scopeHeadroom(p, usage),
  };
}
