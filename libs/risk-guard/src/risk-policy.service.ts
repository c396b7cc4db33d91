import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApprovalAct, ApprovalActState, type ApprovalCreatedResponseDto, type ApprovalResponseDto, ChangeRequestsService, controlVersion } from '#approvals';
import { Clock, type PolicyChange, PolicyUpsertService, type Principal, ReadinessCheck, SYSTEM_PRINCIPAL } from '#platform';
import { RISK_GUARD } from './risk-guard.lever.js';
import { RISK_POLICY_CHANGE, riskPolicySubject } from './risk-guard.constants.js';
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
  /** The `control_version` the caller saw: the change is refused (409) if the policy is at another. */
  base_version?: string;
}

interface WriteOptions {
  /** Applied by an approved change request: another person approved it, the two-person hold does not apply. */
  approved?: boolean;
  /** Who the row says changed it (an approved request: requester and approvers). */
  by?: string;
  /** For the audit row (the approval). */
  details?: Record<string, unknown>;
}

const policySubject = riskPolicySubject;

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
    private readonly changeRequests: ChangeRequestsService,
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
   * The HTTP upsert. With WARDEN_CHANGE_REQUESTS holding `risk.policy` the change is a change
   * request: nothing is written, and the answer is 202 with the approval whose approval by another
   * person applies it (riskPolicyChangeApproved); a change that changes nothing answers 200 with the
   * policy. Otherwise it is written now. Turning on an engine the tripwire throttled
   * (`throttled_by`), with the two-person rule on, writes the other fields given, leaves the engine
   * off and answers 202 with the approval request whose approval turns it on
   * (RiskEngineSwitchService), in the same transaction. An upsert never sets or clears the throttle
   * itself: `disabled_reason` is only the words; with the rule off, an enable clears it (and voids
   * the re-enable requests bound to it). `base_version`, when given, must be the policy's
   * `control_version` now (409 control_version_conflict).
   */
  async upsert(principal: Principal, input: PolicyUpsertInput): Promise<PolicyUpsertOutcome> {
    const engine = engineName(input.engine, true);
    const subject = policySubject(engine);
    return this.repo.db.transaction(async (manager) => {
      if (!this.changeRequests.held(RISK_POLICY_CHANGE)) return this.write(manager, principal, engine, input);
      const { before, after } = await this.upserts.preview(this.policyChange(principal, engine, input, { approved: true }).change, manager);
      const { base_version: baseVersion, ...rest } = input;
      const apply = { ...rest, engine };
      const filed = await this.changeRequests.file(principal, RISK_POLICY_CHANGE, { subject, name: engine, before, after, apply, reason: input.reason, baseVersion }, manager);
      return filed ? { status: 202, body: filed } : { status: 200, body: before! };
    });
  }

  /** What a change request of an engine's policy is bound to: the policy's version (its lock held), `absent` for none. */
  @ApprovalActState(RISK_POLICY_CHANGE)
  async policyVersion(subject: string, manager: EntityManager): Promise<string> {
    await this.upserts.lock(manager, subject);
    const row = await this.repo.policy(subject.slice(policySubject('').length), manager, true);
    return row ? RiskPolicyResponseDto.from(row).control_version : controlVersion(null);
  }

  /**
   * The approved change request, run by approvals once, in the transaction that consumes the grant,
   * only while the policy is at the version it was filed against: the upsert it carries, audited as
   * `risk.policy.create|update` with the approval, its requester and approvers. Another person
   * approved it, so an enable it carries lifts a throttle too.
   */
  @ApprovalAct({ lever: RISK_GUARD, kind: RISK_POLICY_CHANGE, changeRequest: 'risk.policy' })
  async riskPolicyChangeApproved(approval: ApprovalResponseDto, manager: EntityManager): Promise<void> {
    const approved = ChangeRequestsService.approved(approval);
    const input = { ...(approved.apply as unknown as PolicyUpsertInput), base_version: undefined };
    await this.write(manager, SYSTEM_PRINCIPAL, engineName(input.engine, true), input, { approved: true, by: approved.by, details: approved.details });
  }

  /** The write, in `manager`'s transaction, with everything it sets off (throttle, stream, void of change requests bound to the old policy). */
  private async write(manager: EntityManager, principal: Principal, engine: string, input: PolicyUpsertInput, options: WriteOptions = {}): Promise<PolicyUpsertOutcome> {
    const subject = policySubject(engine);
    if (input.base_version !== undefined) this.changeRequests.assertBase(input.base_version, await this.policyVersion(subject, manager), `risk policy ${engine}`);
    const { change, state } = this.policyChange(principal, engine, input, options);
    const { policy } = await this.upserts.upsert(principal, change, manager);
    if (state.throttle) {
      await this.switches.throttleChanged(principal, engine, state.throttle.before, state.throttle.after, manager);
      await this.streamEvents.upserted(manager, state.throttle.before, state.throttle.after);
    }
    await this.changeRequests.changed(principal, RISK_POLICY_CHANGE, subject, `risk policy ${engine} changed by ${options.by ?? principal.name}`, manager);
    if (!state.held) return { status: 200, body: policy };
    return { status: 202, body: await this.switches.requestReenable(principal, engine, input.reason, manager) };
  }

  /** The platform upsert of `input`; `state` tells, once it ran, whether the two-person rule held an enable and what the throttle was. */
  private policyChange(principal: Principal, engine: string, input: PolicyUpsertInput, options: WriteOptions) {
    const money = (field: keyof Caps) => {
      const v = input[field];
      return v === undefined || v === null ? v : amountOf(v, field, true);
    };
    const caps: Caps = { max_daily_exposure: money('max_daily_exposure'), max_open_risk: money('max_open_risk'), max_daily_loss: money('max_daily_loss') };
    const multiple = input.max_loss_multiple === undefined ? undefined : amountOf(input.max_loss_multiple, 'max_loss_multiple', false);
    const by = options.by ?? principal.name;
    const state: { held: boolean; throttle?: { before: PolicyRow | undefined; after: PolicyRow } } = { held: false };
    const change: PolicyChange<PolicyRow, RiskPolicyResponseDto> = {
      lever: RISK_GUARD.name,
      subject: policySubject(engine),
      requiredToCreate: caps,
      load: (m) => this.repo.policy(engine, m, true),
      write: async (m, before) => {
        state.held = !options.approved && this.switches.heldForSecondOperator(input.enabled, before);
        const given = state.held ? { ...input, enabled: undefined } : input;
        const after = await this.repo.writePolicy(m, nextPolicy(by, engine, given, caps, multiple, before), this.clock.now());
        state.throttle = { before, after };
        return after;
      },
      view: RiskPolicyResponseDto.from,
      reason: input.reason ?? null,
      actorLabel: input.actor ?? null,
      details: options.details,
    };
    return { change, state };
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
  by: string,
  engine: string,
  input: PolicyUpsertInput,
  caps: Caps,
  multiple: string | undefined,
  before: PolicyRow | undefined,
): Omit<PolicyRow, 'updated_at'> {
  const enabled = input.enabled ?? before?.enabled ?? true;
  const disabledReason = enabled
    ? null
    : input.disabled_reason?.trim() || (before && !before.enabled ? before.disabled_reason : null) || input.reason?.trim() || `disabled by ${by}`;
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
    updated_by: by,
  };
}
