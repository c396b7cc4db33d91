import { Decimal } from 'decimal.js';

/** Every reason a reservation can be refused (or, in observe mode, would have been). */
export const RiskReasonCode = {
  KillSwitchEngaged: 'kill_switch_engaged',
  NoGlobalPolicy: 'no_global_policy',
  NoEnginePolicy: 'no_engine_policy',
  PolicyDisabled: 'policy_disabled',
  GlobalExposureCap: 'global_exposure_cap',
  GlobalOpenRiskCap: 'global_open_risk_cap',
  GlobalLossCap: 'global_loss_cap',
  GlobalActionCap: 'global_action_cap',
  EngineExposureCap: 'engine_exposure_cap',
  EngineOpenRiskCap: 'engine_open_risk_cap',
  EngineLossCap: 'engine_loss_cap',
  EngineActionCap: 'engine_action_cap',
} as const;
export type RiskReasonCode = (typeof RiskReasonCode)[keyof typeof RiskReasonCode];

export type DecimalLike = string | number | Decimal;

export interface ScopePolicy {
  enabled: boolean;
  enforcementMode: 'enforce' | 'observe';
  /** null = unlimited, 0 = nothing allowed. */
  maxDailyExposure: DecimalLike | null;
  maxOpenRisk: DecimalLike | null;
  maxDailyLoss: DecimalLike | null;
  maxActionsPerDay: number | null;
}

export interface ScopeUsage {
  exposureUsed: DecimalLike;
  openRiskReserved: DecimalLike;
  realizedLoss: DecimalLike;
  actionsCount: number;
}

export const ZERO_USAGE: ScopeUsage = { exposureUsed: '0', openRiskReserved: '0', realizedLoss: '0', actionsCount: 0 };

export interface ReservationQuestion {
  amount: DecimalLike;
  killSwitchEngaged: boolean;
  global: { policy: ScopePolicy | null; usage: ScopeUsage };
  engine: { policy: ScopePolicy | null; usage: ScopeUsage };
}

export type ReservationOutcome = 'allowed' | 'allowed_observed' | 'denied';

export interface ReservationDecision {
  outcome: ReservationOutcome;
  /** Every failing check, in a fixed order: kill switch, GLOBAL scope, engine scope. */
  reasonCodes: RiskReasonCode[];
  /** The codes only observed (scope in observe mode); they do not deny. */
  observed: RiskReasonCode[];
  /** No engine policy: denied without being recorded (it cannot be attributed to a ledger). */
  recordable: boolean;
}

const d = (v: DecimalLike) => new Decimal(v);

/**
 * The dual-control rule, for one request against the day's usage of GLOBAL and of its engine.
 * Both policies must exist and be enabled; each cap of each scope must hold:
 *   actions_count + 1 <= max_actions_per_day, exposure_used + amount <= max_daily_exposure,
 *   open_risk_reserved + amount <= max_open_risk, realized_loss < max_daily_loss.
 * A cap failing in a scope whose policy is in `observe` mode is reported but does not deny; a missing
 * or disabled policy and the kill switch always deny. PostgreSQL applies the same rule
 * (risk_reserve_batch); this copy serves dry runs, tests and the property-test model.
 */
export function decideReservation(q: ReservationQuestion): ReservationDecision {
  const amount = d(q.amount);
  const codes: RiskReasonCode[] = [];
  const observed: RiskReasonCode[] = [];
  let hard = false;
  if (q.killSwitchEngaged) {
    codes.push(RiskReasonCode.KillSwitchEngaged);
    hard = true;
  }
  const scope = (
    policy: ScopePolicy | null,
    usage: ScopeUsage,
    missing: RiskReasonCode,
    caps: [RiskReasonCode, RiskReasonCode, RiskReasonCode, RiskReasonCode],
  ) => {
    if (!policy) {
      codes.push(missing);
      hard = true;
      return;
    }
    if (!policy.enabled) {
      if (!codes.includes(RiskReasonCode.PolicyDisabled)) codes.push(RiskReasonCode.PolicyDisabled);
      hard = true;
    }
    const failing: RiskReasonCode[] = [];
    if (policy.maxDailyExposure !== null && d(usage.exposureUsed).plus(amount).gt(d(policy.maxDailyExposure))) failing.push(caps[0]);
    if (policy.maxOpenRisk !== null && d(usage.openRiskReserved).plus(amount).gt(d(policy.maxOpenRisk))) failing.push(caps[1]);
    if (policy.maxDailyLoss !== null && d(usage.realizedLoss).gte(d(policy.maxDailyLoss))) failing.push(caps[2]);
    if (policy.maxActionsPerDay !== null && usage.actionsCount + 1 > policy.maxActionsPerDay) failing.push(caps[3]);
    codes.push(...failing);
    if (policy.enforcementMode === 'observe') observed.push(...failing);
    else if (failing.length) hard = true;
  };
  scope(q.global.policy, q.global.usage, RiskReasonCode.NoGlobalPolicy, [
    RiskReasonCode.GlobalExposureCap,
    RiskReasonCode.GlobalOpenRiskCap,
    RiskReasonCode.GlobalLossCap,
    RiskReasonCode.GlobalActionCap,
  ]);
  scope(q.engine.policy, q.engine.usage, RiskReasonCode.NoEnginePolicy, [
    RiskReasonCode.EngineExposureCap,
    RiskReasonCode.EngineOpenRiskCap,
    RiskReasonCode.EngineLossCap,
    RiskReasonCode.EngineActionCap,
  ]);
  const outcome: ReservationOutcome = hard ? 'denied' : codes.length ? 'allowed_observed' : 'allowed';
  return { outcome, reasonCodes: codes, observed: hard ? [] : observed, recordable: q.engine.policy !== null };
}

/** The usage after admitting `amount` (what both ledger rows become). */
export function applyReservation(usage: ScopeUsage, amount: DecimalLike): ScopeUsage {
  return {
    exposureUsed: d(usage.exposureUsed).plus(d(amount)).toString(),
    openRiskReserved: d(usage.openRiskReserved).plus(d(amount)).toString(),
    realizedLoss: d(usage.realizedLoss).toString(),
    actionsCount: usage.actionsCount + 1,
  };
}

/** The usage after settling (loss >= 0) or voiding (loss 0) a reservation of `amount` on that day. */
export function applyClose(usage: ScopeUsage, amount: DecimalLike, realizedLoss: DecimalLike): ScopeUsage {
  return {
    exposureUsed: d(usage.exposureUsed).toString(),
    openRiskReserved: d(usage.openRiskReserved).minus(d(amount)).toString(),
    realizedLoss: d(usage.realizedLoss).plus(d(realizedLoss)).toString(),
    actionsCount: usage.actionsCount,
  };
}
