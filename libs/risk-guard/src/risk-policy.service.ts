import { Injectable } from '@nestjs/common';
import type { ApprovalCreatedResponseDto } from '#approvals';
import { Clock, PolicyUpsertService, type Principal, ReadinessCheck } from '#platform';
import { RISK_GUARD } from './risk-guard.lever.js';
import { RiskPolicyResponseDto } from './dto/policy.dto.js';
import { amountOf, engineName, GLOBAL_ENGINE } from './risk-guard.input.js';
import { RiskEngineSwitchService } from './risk-engine-switch.service.js';
import { RiskGuardStream } from './risk-guard.stream.js';
import { type EnforcementMode, type PolicyRow, RiskPolicyRepository } from './risk-policy.repository.js';

/** What POST /risk/policies/upsert answers: 200 with the policy, or 202 with the approval request the two-person rule filed. */
export type PolicyUpsertOutcome = { status: 200; body: RiskPolicyResponseDto } | { status: 202; body: ApprovalCreatedResponseDto };

export interface PolicyUpsertInput {
  engine: string;
  enabled?: boolean;
  max_daily_exposure?: string | null;
  max_open_risk?: string | null;
  max_daily_loss?: string | null;
  max_actions_per_day?: number | null;
  reservation_ttl_seconds?: number;
  enforcement_mode?: EnforcementMode;
  max_loss_multiple?: string | number;
  disabled_reason?: string | null;
  reason?: string;
  actor?: string;
}

type Caps = Record<'max_daily_exposure' | 'max_open_risk' | 'max_daily_loss', string | null | undefined>;

/** The risk policies: reads, the audited upsert (the platform's mechanism), and the go-live readiness check. */
@Injectable()
export class RiskPolicyService {
  constructor(
    private readonly repo: RiskPolicyRepository,
    private readonly upserts: PolicyUpsertService,
    private readonly clock: Clock,
    private readonly switches: RiskEngineSwitchService,
    private readonly streamEvents: RiskGuardStream,
  ) {}

  async listPolicies(): Promise<RiskPolicyResponseDto[]> {
    return (await this.repo.policies()).map(RiskPolicyResponseDto.from);
  }

  async getPolicy(engine: string): Promise<RiskPolicyResponseDto | null> {
    const row = await this.repo.policy(engineName(engine, true));
    return row ? RiskPolicyResponseDto.from(row) : null;
  }

  /**
   * POST /risk/policies/upsert (operator): fields given replace the stored ones, fields left out keep
   * them. A new policy must state its three money caps (null = unlimited). Audited in the same
   * transaction as `risk.policy.create|update`; concurrent creates of one engine serialize.
   */
  async upsertPolicy(principal: Principal, input: PolicyUpsertInput): Promise<RiskPolicyResponseDto> {
    const outcome = await this.upsert(principal, input);
    return outcome.status === 200 ? outcome.body : ((await this.getPolicy(input.engine)) as RiskPolicyResponseDto);
  }

  /**
   * The HTTP upsert. Turning on an engine the tripwire throttled (`throttled_by`), with the two-person
   * rule on, writes the other fields given, leaves the engine off and answers 202 with the approval
   * request whose approval turns it on (RiskEngineSwitchService), in the same transaction. An upsert
   * never sets or clears the throttle itself: `disabled_reason` is only the words; with the rule off,
   * an enable clears it (and voids the re-enable requests bound to it).
   */
  async upsert(principal: Principal, input: PolicyUpsertInput): Promise<PolicyUpsertOutcome> {
    const engine = engineName(input.engine, true);
    const money = (field: keyof Caps) => {
      const v = input[field];
      return v === undefined || v === null ? v : amountOf(v, field, true);
    };
    const caps: Caps = { max_daily_exposure: money('max_daily_exposure'), max_open_risk: money('max_open_risk'), max_daily_loss: money('max_daily_loss') };
    const multiple = input.max_loss_multiple === undefined ? undefined : amountOf(input.max_loss_multiple, 'max_loss_multiple', false);
    return this.repo.db.transaction(async (manager) => {
      let held = false;
      let throttle: { before: PolicyRow | undefined; after: PolicyRow } | undefined;
      const { policy } = await this.upserts.upsert(
        principal,
        {
          lever: RISK_GUARD.name,
          subject: `risk_policy:${engine}`,
          requiredToCreate: caps,
          load: (m) => this.repo.policy(engine, m, true),
          write: async (m, before) => {
            held = this.switches.heldForSecondOperator(input.enabled, before);
            const given = held ? { ...input, enabled: undefined } : input;
            const after = await this.repo.writePolicy(m, nextPolicy(principal, engine, given, caps, multiple, before), this.clock.now());
            throttle = { before, after };
            return after;
          },
          view: RiskPolicyResponseDto.from,
          reason: input.reason ?? null,
          actorLabel: input.actor ?? null,
        },
        manager,
      );
      if (throttle) await this.switches.throttleChanged(principal, engine, throttle.before, throttle.after, manager);
      if (throttle) await this.streamEvents.upserted(manager, throttle.before, throttle.after);
      if (!held) return { status: 200, body: policy };
      return { status: 202, body: await this.switches.requestReenable(principal, engine, input.reason, manager) };
    });
  }

  @ReadinessCheck(RISK_GUARD, 'required_packs_installed')
  async readiness(): Promise<{ ok: boolean; detail: string }> {
    const policies = await this.repo.policies();
    const global = policies.find((p) => p.engine === GLOBAL_ENGINE);
    const engines = policies.filter((p) => p.engine !== GLOBAL_ENGINE && p.enabled).map((p) => p.engine);
    if (!global) return { ok: false, detail: 'no GLOBAL risk policy' };
    if (!global.enabled) return { ok: false, detail: `GLOBAL risk policy disabled: ${global.disabled_reason ?? 'no reason given'}` };
    if (engines.length === 0) return { ok: false, detail: 'GLOBAL enabled but no engine risk policy is enabled' };
    return { ok: true, detail: `GLOBAL and ${engines.length} engine risk policies enabled (${engines.join(', ')})` };
  }
}

/** The row an upsert writes: the fields given, the stored ones for the rest, defaults for a new policy. */
function nextPolicy(
  principal: Principal,
  engine: string,
  input: PolicyUpsertInput,
  caps: Caps,
  multiple: string | undefined,
  before: PolicyRow | undefined,
): Omit<PolicyRow, 'updated_at'> {
  const enabled = input.enabled ?? before?.enabled ?? true;
  const disabledReason = enabled
    ? null
    : input.disabled_reason?.trim() || (before && !before.enabled ? before.disabled_reason : null) || input.reason?.trim() || `disabled by ${principal.name}`;
  const keep = <K extends keyof PolicyRow>(field: K, given: PolicyRow[K] | undefined, fallback: PolicyRow[K]): PolicyRow[K] =>
    given === undefined ? (before ? before[field] : fallback) : given;
  return {
    engine,
    enabled,
    max_daily_exposure: keep('max_daily_exposure', caps.max_daily_exposure, null),
    max_open_risk: keep('max_open_risk', caps.max_open_risk, null),
    max_daily_loss: keep('max_daily_loss', caps.max_daily_loss, null),
    max_actions_per_day: keep('max_actions_per_day', input.max_actions_per_day, null),
    reservation_ttl_seconds: keep('reservation_ttl_seconds', input.reservation_ttl_seconds, 900),
    enforcement_mode: keep('enforcement_mode', input.enforcement_mode, 'enforce'),
    max_loss_multiple: keep('max_loss_multiple', multiple, '1'),
    disabled_reason: disabledReason,
    // Only the tripwire throttles, and only an enable lifts it: the upsert's fields never touch it.
    throttled_by: enabled ? null : (before?.throttled_by ?? null),
    updated_by: principal.name,
  };
}
