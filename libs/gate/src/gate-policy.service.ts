import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApprovalAct, ApprovalActState, type ApprovalResponseDto, type ChangeRequestCreatedResponseDto, ChangeRequestsService, controlVersion } from '#approvals';
import { AuditService, Clock, type PolicyChange, PolicyUpsertService, type Principal, SYSTEM_PRINCIPAL } from '#platform';
import { ROLLOUT_MODES, type RolloutMode } from './decide/combine.js';
import { GateInputError } from './decide/input-error.js';
import { parsePolicyYaml } from './decide/policy.js';
import { POLICY_LIMITS, PolicyLimitError } from './decide/policy-yaml.js';
import { policyDigestOf } from './decide/evaluate.js';
import type { GatePolicy } from './decide/types.js';
import { DEFAULT_TRUST_THRESHOLD } from './decide/trust.js';
import { GateCacheService } from './gate-cache.service.js';
import { GateStream } from './gate.stream.js';
import { GATE } from './gate.lever.js';
import { GateErrors } from './gate.errors.js';
import { type ActivePolicyRow, GateRepository, type PolicyRow } from './gate.repository.js';
import { GatePolicyDetailDto, GatePolicyListDto, GatePolicyResponseDto, GatePolicySummaryDto, PutPolicyResponseDto } from './dto/policy.dto.js';

/** What a PUT carries, from the YAML body or the JSON form, with the query's options. */
export interface PolicyPut {
  yaml: string;
  mode?: RolloutMode;
  trustThreshold?: string;
  activate?: boolean;
}

const LEVER = GATE.name;

/** The approved act (and its kind) that applies a change request of a gate policy's activation, mode or trust threshold (WARDEN_CHANGE_REQUESTS: gate.policy). */
export const GATE_POLICY_CHANGE = 'gate_policy_change';
const policySubject = (name: string) => `gate_policy:${name}`;

type Wanted = Pick<PolicyRow, 'active_digest' | 'mode' | 'trust_threshold'>;

/** What a change of a policy's row answers: the policy, or 202 with the change request WARDEN_CHANGE_REQUESTS filed. */
export type GatePolicyOutcome = { status: 200; body: GatePolicyResponseDto } | { status: 202; body: ChangeRequestCreatedResponseDto };

/** PUT: the version stored, and the policy or (202) the change request for its activation. */
export type PutPolicyOutcome =
  | { status: 200; body: PutPolicyResponseDto }
  | { status: 202; body: ChangeRequestCreatedResponseDto & Pick<PutPolicyResponseDto, 'name' | 'digest' | 'version_created' | 'rule_count'> };

interface ChangeOptions {
  by?: string;
  details?: Record<string, unknown>;
  baseVersion?: string;
}

/** Reads the PUT body: the YAML text itself (application/yaml, text/yaml) or `{yaml, mode?, trust_threshold?, activate?}`. */
export function readPolicyPut(body: unknown, query: { mode?: RolloutMode; trust_threshold?: string; activate?: boolean }): PolicyPut {
  const bad = (problem: string) => GateErrors.raise('invalid_policy', problem, { details: { fields: [{ field: 'body', problems: [problem] }] } });
  let put: PolicyPut;
  if (typeof body === 'string') {
    put = { yaml: body };
  } else if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const o = body as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !['yaml', 'mode', 'trust_threshold', 'activate'].includes(k));
    if (unknown.length) throw bad(`unknown field(s) ${unknown.join(', ')}`);
    if (typeof o.yaml !== 'string') throw bad('yaml must be the policy text (a string)');
    if (o.mode !== undefined && !(ROLLOUT_MODES as readonly unknown[]).includes(o.mode)) throw bad(`mode must be one of ${ROLLOUT_MODES.join(', ')}`);
    const t = o.trust_threshold;
    if (t !== undefined && !((typeof t === 'number' || typeof t === 'string') && /^(0(\.\d{1,30})?|1(\.0{1,30})?)$/.test(String(t)))) throw bad('trust_threshold must be a number in [0, 1]');
    if (o.activate !== undefined && typeof o.activate !== 'boolean') throw bad('activate must be a boolean');
    put = { yaml: o.yaml, mode: o.mode as RolloutMode | undefined, trustThreshold: t === undefined ? undefined : String(t), activate: o.activate as boolean | undefined };
  } else {
    throw bad('send the policy YAML (content-type application/yaml or text/yaml) or JSON {yaml, mode?, trust_threshold?, activate?}');
  }
  if (!put.yaml.trim()) throw bad('the policy is empty');
  return { ...put, mode: query.mode ?? put.mode, trustThreshold: query.trust_threshold ?? put.trustThreshold, activate: query.activate ?? put.activate };
}

/**
 * Stored policy files: versions by digest (append-only), the active version, rollout mode and trust
 * threshold per name (changed only through the platform's audited policy upsert).
 */
@Injectable()
export class GatePolicyService {
  /** Parsed policies by digest: a digest names its content, so an entry never goes stale. */
  private readonly parsed = new Map<string, GatePolicy>();

  constructor(
    private readonly repo: GateRepository,
    private readonly upserts: PolicyUpsertService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly cache: GateCacheService,
    private readonly streamEvents: GateStream,
    private readonly changeRequests: ChangeRequestsService,
  ) {}

  static parse(yaml: string): GatePolicy {
    try {
      return parsePolicyYaml(yaml);
    } catch (e) {
      if (e instanceof GateInputError) {
        const limit = e instanceof PolicyLimitError ? { limit: e.limit, max: POLICY_LIMITS[e.limit] } : {};
        throw GateErrors.raise('invalid_policy', `invalid policy: ${e.message}`, { details: { fields: [{ field: e.field ?? 'policy', problems: [e.message] }], ...limit } });
      }
      throw e;
    }
  }

  /**
   * Stores the version (always: versions are append-only and inert until active); a change of the
   * policy's row (a new name, `activate`, mode, trust threshold) is made now, or with
   * WARDEN_CHANGE_REQUESTS holding `gate.policy` filed as a change request (202).
   */
  async request(principal: Principal, name: string, input: PolicyPut & { baseVersion?: string }): Promise<PutPolicyOutcome> {
    return this.store(principal, name, input, this.changeRequests.held(GATE_POLICY_CHANGE));
  }

  /** The in-process PUT: the version and the row change now, whatever WARDEN_CHANGE_REQUESTS says (as an approved act would). */
  async put(principal: Principal, name: string, input: PolicyPut): Promise<PutPolicyResponseDto> {
    const outcome = await this.store(principal, name, input, false);
    return outcome.body as PutPolicyResponseDto;
  }

  private async store(principal: Principal, name: string, input: PolicyPut & { baseVersion?: string }, held: boolean): Promise<PutPolicyOutcome> {
    const policy = GatePolicyService.parse(input.yaml);
    const digest = policyDigestOf(policy);
    const answer = await this.repo.db.transaction(async (m) => {
      const created = await this.repo.insertVersion(m, {
        name,
        digest,
        yaml: input.yaml,
        normalized: policy,
        ruleCount: policy.rules.length,
        by: principal.name,
        token: principal.tokenId,
        at: this.clock.now(),
      });
      if (created) {
        await this.audit.record(m, principal, { action: 'gate.policy_version.create', subject: `gate_policy:${name}`, details: { digest, rule_count: policy.rules.length } });
      }
      const current = await this.repo.policy(name, m);
      const wanted = {
        active_digest: !current || input.activate ? digest : current.active_digest,
        mode: input.mode ?? current?.mode ?? 'enforce',
        trust_threshold: input.trustThreshold ?? current?.trust_threshold ?? String(DEFAULT_TRUST_THRESHOLD),
      };
      const changes = !current || current.active_digest !== wanted.active_digest || current.mode !== wanted.mode || Number(current.trust_threshold) !== Number(wanted.trust_threshold);
      const outcome: GatePolicyOutcome = changes
        ? await this.changeOrRequest(principal, name, wanted, m, 'policy put', { baseVersion: input.baseVersion }, held)
        : { status: 200, body: GatePolicyResponseDto.from(current) };
      const version = { name, digest, version_created: created, rule_count: policy.rules.length };
      return outcome.status === 202
        ? { status: 202 as const, body: Object.assign(outcome.body, version) }
        : { status: 200 as const, body: PutPolicyResponseDto.from(name, digest, created, policy.rules.length, outcome.body) };
    });
    this.cache.clear();
    return answer;
  }

  async activate(principal: Principal, name: string, digest: string, reason?: string, baseVersion?: string): Promise<GatePolicyOutcome> {
    const answer = await this.repo.db.transaction(async (m) => {
      const current = await this.existing(name, m);
      if (!(await this.repo.version(m, name, digest))) throw GateErrors.raise('policy_version_not_found', `policy ${name} has no version ${digest}`);
      return this.changeOrRequest(principal, name, { ...current, active_digest: digest }, m, reason, { baseVersion }, this.changeRequests.held(GATE_POLICY_CHANGE));
    });
    this.cache.clear();
    return answer;
  }

  async setMode(principal: Principal, name: string, mode: RolloutMode, trustThreshold?: string, reason?: string, baseVersion?: string): Promise<GatePolicyOutcome> {
    const answer = await this.repo.db.transaction(async (m) => {
      const current = await this.existing(name, m);
      return this.changeOrRequest(principal, name, { ...current, mode, trust_threshold: trustThreshold ?? current.trust_threshold }, m, reason, { baseVersion }, this.changeRequests.held(GATE_POLICY_CHANGE));
    });
    this.cache.clear();
    return answer;
  }

  /** What a change request of a policy's row is bound to: the row's version (its lock held), `absent` for none. */
  @ApprovalActState(GATE_POLICY_CHANGE)
  async policyVersion(subject: string, manager: EntityManager): Promise<string> {
    await this.upserts.lock(manager, subject);
    const row = await this.repo.policy(subject.slice(policySubject('').length), manager);
    return row ? GatePolicyResponseDto.from(row).control_version : controlVersion(null);
  }

  /** The approved change request, run once in the transaction that consumes the grant, while the row is at its base version. */
  @ApprovalAct({ lever: GATE, kind: GATE_POLICY_CHANGE, changeRequest: 'gate.policy' })
  async gatePolicyChangeApproved(approval: ApprovalResponseDto, manager: EntityManager): Promise<void> {
    const approved = ChangeRequestsService.approved(approval);
    const apply = approved.apply as { name: string; wanted: Wanted; reason: string | null };
    await this.change(SYSTEM_PRINCIPAL, apply.name, apply.wanted, manager, apply.reason ?? undefined, { by: approved.by, details: approved.details });
    this.cache.clear();
  }

  /** The row change now, or (WARDEN_CHANGE_REQUESTS holds gate.policy) the change request for it; a change that changes nothing is 200. */
  private async changeOrRequest(
    principal: Principal,
    name: string,
    wanted: Wanted,
    m: EntityManager,
    reason: string | undefined,
    options: ChangeOptions,
    held: boolean,
  ): Promise<GatePolicyOutcome> {
    if (!held) return { status: 200, body: GatePolicyResponseDto.from(await this.change(principal, name, wanted, m, reason, options)) };
    const preview = await this.upserts.preview(this.policyChange(principal, name, wanted, reason, {}), m);
    const before = preview.before ? GatePolicyResponseDto.from(preview.before) : null;
    const after = GatePolicyResponseDto.from(preview.after);
    const apply = { name, wanted: { active_digest: wanted.active_digest, mode: wanted.mode, trust_threshold: String(Number(wanted.trust_threshold)) }, reason: reason ?? null };
    const filed = await this.changeRequests.file(principal, GATE_POLICY_CHANGE, { subject: policySubject(name), name, before, after, apply, reason, baseVersion: options.baseVersion }, m);
    return filed ? { status: 202, body: filed } : { status: 200, body: before! };
  }

  async list(): Promise<GatePolicyListDto> {
    return { items: (await this.repo.policies()).map((r) => GatePolicySummaryDto.fromList(r)) };
  }

  async get(name: string): Promise<GatePolicyDetailDto> {
    const row = await this.existing(name);
    return GatePolicyDetailDto.withVersions(row, await this.repo.versions(name));
  }

  /** The active policy of `name`, parsed (cached by digest), or undefined when none is active. */
  active(name: string): Promise<{ row: ActivePolicyRow; policy: GatePolicy } | undefined> {
    return this.cache.get(`policy:${name}`, () => this.loadActive(name));
  }

  private async loadActive(name: string): Promise<{ row: ActivePolicyRow; policy: GatePolicy } | undefined> {
    const row = await this.repo.activePolicy(name);
    if (!row) return undefined;
    let policy = this.parsed.get(row.active_digest);
    if (!policy) {
      policy = parsePolicyYaml(row.yaml);
      if (this.parsed.size > 1000) this.parsed.clear();
      this.parsed.set(row.active_digest, policy);
    }
    return { row, policy };
  }


  private async existing(name: string, m?: EntityManager): Promise<PolicyRow> {
    const row = await this.repo.policy(name, m);
    if (!row) throw GateErrors.raise('policy_not_found', `no gate policy ${name}`);
    return row;
  }

  /**
   * The one way gate_policy changes: the platform's audited upsert (`gate.policy.create|update`);
   * open change requests bound to the row before it are void.
   */
  private async change(principal: Principal, name: string, wanted: Wanted, m: EntityManager, reason?: string, options: ChangeOptions = {}): Promise<PolicyRow> {
    const subject = policySubject(name);
    if (options.baseVersion !== undefined) this.changeRequests.assertBase(options.baseVersion, await this.policyVersion(subject, m), `gate policy ${name}`);
    const { policy } = await this.upserts.upsert<PolicyRow, PolicyRow>(principal, this.policyChange(principal, name, wanted, reason, options), m);
    await this.changeRequests.changed(principal, GATE_POLICY_CHANGE, subject, `gate policy ${name} changed by ${options.by ?? principal.name}`, m);
    return policy;
  }

  private policyChange(principal: Principal, name: string, wanted: Wanted, reason: string | undefined, options: ChangeOptions): PolicyChange<PolicyRow, PolicyRow> {
    return {
      lever: LEVER,
      subject: policySubject(name),
      requiredToCreate: {},
      load: (mm) => this.repo.policy(name, mm),
      write: (mm) => this.repo.writePolicy(mm, { name, ...wanted, updated_by: options.by ?? principal.name }, this.clock.now()),
      view: (row) => ({ ...row, trust_threshold: String(Number(row.trust_threshold)) }),
      reason: reason ?? null,
      details: options.details,
      recorded: (mm, before, after) => this.cache.changed(mm).then(() => this.streamEvents.changed(mm, before, after)),
    };
  }
}
