import { Injectable } from '@nestjs/common';
import { WardenError } from '#platform';
import { RiskGuardService } from '#risk-guard';
import { type CombinedVerdict, withStep } from '../decide/combine.js';
import { riskReserveStep } from '../decide/lever-steps.js';
import type { ParsedRequest } from './01-parse.phase.js';

/**
 * Phase 6: reserve. With `reserve: true` and everything allowing (after the approval phase), the
 * real reservation through RiskGuardService.reserveOrThrow(), keyed by `correlation_id`. A denial
 * in the meantime is a block with the risk guard's reason codes; any other refusal (409, 503) is
 * the answer. Never when simulating.
 */
@Injectable()
export class ReservePhase {
  constructor(private readonly risk: RiskGuardService) {}

  async reserve(request: ParsedRequest, verdict: CombinedVerdict): Promise<{ verdict: CombinedVerdict; reservationId: string | null }> {
    const { req } = request;
    if (request.simulate || !req.reserve || verdict.verdict !== 'allow') return { verdict, reservationId: null };
    const reason = `gate: ${request.intent?.tool_name ?? 'intent'} by ${request.identity ?? 'unknown'}`;
    try {
      const r = await this.risk.reserveOrThrow({ engine: req.engine!, amount: req.amount!, correlationId: req.correlation_id!, reason, principal: request.principal });
      return { verdict: withStep(verdict, riskReserveStep(r)), reservationId: r.reservation_id };
    } catch (e) {
      if (!(e instanceof WardenError) || e.code !== 'risk_denied') throw e;
      return { verdict: withStep(verdict, riskReserveStep({ denied: e.extra.reasonCodes ?? ['risk_denied'], message: e.message })), reservationId: null };
    }
  }
}
