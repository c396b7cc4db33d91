import { Injectable } from '@nestjs/common';
import type { Principal } from '#platform';
import type { CloseResponseDto } from './dto/settle.dto.js';
import type { RiskPolicyResponseDto } from './dto/policy.dto.js';
import type { DryRunResponseDto, ReservationResponseDto, WhatIfResponseDto } from './dto/reserve.dto.js';
import { RiskCloseService, type SettleCommand } from './risk-close.service.js';
import { type EnableOutcome, RiskEngineSwitchService } from './risk-engine-switch.service.js';
import { RiskPolicyService } from './risk-policy.service.js';
import { type ReserveCommand, RiskReserveService } from './risk-reserve.service.js';
import { RiskWhatIfService } from './risk-what-if.service.js';

/**
 * The risk guard's one way in, what other levers and apps call: reserve-then-settle against the
 * day's GLOBAL and engine rows, what-if, the engine switch and the policy read. The module exports
 * nothing else. Each method is one service's work: RiskReserveService, RiskCloseService,
 * RiskWhatIfService, RiskEngineSwitchService, RiskPolicyService.
 */
@Injectable()
export class RiskGuardService {
  constructor(
    private readonly reserves: RiskReserveService,
    private readonly closes: RiskCloseService,
    private readonly whatIfs: RiskWhatIfService,
    private readonly switches: RiskEngineSwitchService,
    private readonly policies: RiskPolicyService,
  ) {}

  /** Reserve `amount` for `engine` or throw (403 risk_denied with every reason code, 409, 400, 503). */
  reserveOrThrow(input: { engine: string; amount: string | number; correlationId: string; reason?: string | null; principal?: Principal }): Promise<ReservationResponseDto> {
    return this.reserves.reserveOrThrow(input);
  }

  /** Reserve with an HTTP caller's options (Idempotency-Key, dry run). */
  checkAndReserve(principal: Principal, command: ReserveCommand): Promise<ReservationResponseDto | DryRunResponseDto> {
    return this.reserves.checkAndReserve(principal, command);
  }

  /** Release the reservation's open risk and book its realized loss (default 0) on its own day. */
  settle(input: SettleCommand & { principal?: Principal }): Promise<CloseResponseDto> {
    return this.closes.settle(input);
  }

  /** Release a reservation without a loss (operator). */
  voidReservation(principal: Principal, input: { reservationId?: string; correlationId?: string; engine?: string; reason: string }): Promise<CloseResponseDto> {
    return this.closes.voidReservation(principal, input);
  }

  /** What a reservation would get now: nothing reserved, recorded or counted; never throws a denial. */
  whatIf(input: { engine: string; amount: string | number; principal?: Principal }): Promise<WhatIfResponseDto> {
    return this.whatIfs.whatIf(input);
  }

  /** Throws 422 loss_exceeds_reservation when a settle could not book `loss` on a reservation of `amount`. */
  assertLossWithinBound(engine: string, amount: string | number, loss: string | number): Promise<void> {
    return this.whatIfs.assertLossWithinBound(engine, amount, loss);
  }

  /** Turn an engine off (the tripwire's THROTTLE): reserve then denies policy_disabled naming `reason`. */
  disableEngine(principal: Principal, engine: string, reason: string): Promise<{ changed: boolean }> {
    return this.switches.disableEngine(principal, engine, reason);
  }

  /** Turn an engine back on (an operator's act); 404 when it has no policy. */
  enableEngine(principal: Principal, engine: string, reason: string): Promise<EnableOutcome> {
    return this.switches.enableEngine(principal, engine, reason);
  }

  getPolicy(engine: string): Promise<RiskPolicyResponseDto | null> {
    return this.policies.getPolicy(engine);
  }
}
