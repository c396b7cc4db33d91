import { Injectable } from '@nestjs/common';
import { GoLiveService } from '#go-live';
import { HeimdallService } from '#heimdall';
import { type Principal, WardenError } from '#platform';
import { RiskGuardService } from '#risk-guard';
import type { StepOutcome } from './decide/combine.js';

const allow = (step: StepOutcome['step'], details: Record<string, unknown>): StepOutcome => ({ step, verdict: 'allow', reason_codes: [], details });
const block = (step: StepOutcome['step'], reasonCodes: string[], details: Record<string, unknown>): StepOutcome => ({ step, verdict: 'block', reason_codes: reasonCodes, details });

/**
 * The gate's view of the other levers, each through its public service only:
 *   GoLiveService.state(), RiskGuardService.whatIf() / reserveOrThrow() / getPolicy(),
 *   HeimdallService.checkProdEligible().
 * Each step answers allow or block with its reason codes and evidence; nothing here decides the
 * final verdict.
 */
@Injectable()
export class GateLeversService {
  constructor(
    private readonly goLive: GoLiveService,
    private readonly risk: RiskGuardService,
    private readonly heimdall: HeimdallService,
  ) {}

  /** (a) The go-live row: the kill switch blocks; go-live disabled blocks where go-live is enforced. */
  async goLiveStep(): Promise<StepOutcome> {
    const s = await this.goLive.state();
    const details = { go_live_enabled: s.go_live_enabled, kill_switch_engaged: s.kill_switch_engaged, enforced: s.enforced };
    if (s.kill_switch_engaged) return block('go_live', ['kill_switch_engaged'], { ...details, reason: s.reason });
    if (s.enforced && !s.go_live_enabled) return block('go_live', ['go_live_disabled'], details);
    return allow('go_live', details);
  }

  /** (c) The risk guard, as a what-if: nothing reserved, recorded or counted. */
  async riskStep(principal: Principal, engine: string | undefined, amount: string | undefined): Promise<StepOutcome> {
    if (engine === undefined || amount === undefined) return allow('risk', { skipped: 'the request names no engine and amount' });
    const answer = await this.risk.whatIf({ engine, amount, principal });
    const details = { mode: 'what_if', engine: answer.engine, amount: answer.amount, outcome: answer.outcome, risk_reason_codes: answer.reason_codes };
    return answer.allowed ? allow('risk', details) : block('risk', answer.reason_codes, details);
  }

  /** The real reservation (after every other step allowed): a denial is a block with the risk reason codes. */
  async reserve(principal: Principal, engine: string, amount: string, correlationId: string, reason: string): Promise<{ step: StepOutcome; reservationId: string | null }> {
    try {
      const r = await this.risk.reserveOrThrow({ engine, amount, correlationId, reason, principal });
      return { step: allow('risk', { mode: 'reserve', reservation_id: r.reservation_id, outcome: r.outcome, idempotent_replay: r.idempotent_replay }), reservationId: r.reservation_id };
    } catch (e) {
      if (e instanceof WardenError && e.code === 'risk_denied') {
        return { step: block('risk', e.extra.reasonCodes ?? ['risk_denied'], { mode: 'reserve', message: e.message }), reservationId: null };
      }
      throw e;
    }
  }

  /** (d) Heimdall, when a recommendation is named: not production-eligible blocks with its gate_reason. */
  async heimdallStep(principal: Principal, recommendationId: string | undefined, correlationId: string | undefined): Promise<StepOutcome> {
    if (!recommendationId) return allow('heimdall', { skipped: 'the request names no recommendation' });
    const e = await this.heimdall.checkProdEligible(recommendationId, principal, { correlation_id: correlationId });
    const details = { recommendation_id: e.recommendation_id, domain: e.domain, gate_reason: e.gate_reason, heimdall_reason_codes: e.reason_codes };
    return e.prod_eligible ? allow('heimdall', details) : block('heimdall', [e.gate_reason], details);
  }

  /** (e) The engine's throttle: a risk policy disabled (by a tripwire or an operator) blocks. */
  async tripwireStep(engine: string | undefined): Promise<StepOutcome> {
    if (engine === undefined) return allow('tripwire', { skipped: 'the request names no engine' });
    const p = await this.risk.getPolicy(engine);
    if (p && !p.enabled) return block('tripwire', ['engine_throttled'], { engine, disabled_reason: p.disabled_reason, disabled_by: p.updated_by, since: p.updated_at });
    return allow('tripwire', { engine, policy: p ? 'enabled' : 'none' });
  }
}
