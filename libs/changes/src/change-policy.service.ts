import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, Clock, MetricsService, type Principal } from '#platform';
import { DEFAULT_POLICY_YAML } from './decide/default-policy.js';
import { ChangeInputError } from './decide/input-error.js';
import { type ChangePolicy, type CompiledPolicy, compilePolicy, DEFAULT_POLICY, parsePolicyYaml, POLICY_LIMITS } from './decide/policy.js';
import { CHANGES } from './changes.lever.js';
import { ChangesErrors } from './changes.errors.js';
import { type ActivationRow, type Db, ChangesRepository } from './changes.repository.js';

export interface ActivePolicy {
  compiled: CompiledPolicy;
  /** `built_in` until a stored version is activated. */
  source: 'built_in' | 'stored';
  activation: ActivationRow | null;
}

/** What a PUT carries: the YAML itself (application/yaml) or `{yaml, activate?, reason?}`. */
export function readPolicyPut(body: unknown, query: { activate?: string }): { yaml: string; activate: boolean; reason: string | null } {
  const bad = (problem: string) => ChangesErrors.raise('invalid_policy', problem, { details: { fields: [{ field: 'body', problems: [problem] }] } });
  const flag = (v: unknown) => v === true || v === 'true' || v === '1';
  if (typeof body === 'string') return { yaml: body, activate: flag(query.activate), reason: null };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('send the policy YAML (application/yaml or text/yaml) or JSON {yaml, activate?, reason?}');
  const o = body as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !['yaml', 'activate', 'reason'].includes(k));
  if (unknown.length) throw bad(`unknown field(s) ${unknown.join(', ')}`);
  if (typeof o.yaml !== 'string' || !o.yaml.trim()) throw bad('yaml must be the policy text');
  if (o.activate !== undefined && typeof o.activate !== 'boolean') throw bad('activate must be a boolean');
  if (o.reason !== undefined && (typeof o.reason !== 'string' || o.reason.length > 1000)) throw bad('reason must be a string of at most 1000 characters');
  return { yaml: o.yaml, activate: flag(query.activate) || o.activate === true, reason: (o.reason as string | undefined)?.trim() || null };
}

export function policyError(e: unknown): never {
  if (e instanceof ChangeInputError) {
    throw ChangesErrors.raise(e.code === 'policy_too_large' ? 'policy_too_large' : 'invalid_policy', `invalid change policy: ${e.message}`, {
      details: { fields: [{ field: e.field, problems: [e.message] }], limits: POLICY_LIMITS },
    });
  }
  throw e;
}

/**
 * The change policy as versioned YAML, the way the gate stores its policies: versions by digest
 * (append-only), activations append-only (the newest is in force; none: Autopack's built-in
 * default), each audited. Compiled policies are cached by digest: a digest names its content.
 */
@Injectable()
export class ChangePolicyService {
  private readonly compiled = new Map<string, CompiledPolicy>([[DEFAULT_POLICY.digest, DEFAULT_POLICY]]);

  constructor(
    private readonly repo: ChangesRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  static parse(yaml: string): ChangePolicy {
    try {
      return parsePolicyYaml(yaml);
    } catch (e) {
      return policyError(e);
    }
  }

  /** The policy in force, read in `db` (the deciding transaction): one indexed read, the compiled policy from the cache. */
  async active(db?: Db): Promise<ActivePolicy> {
    const activation = (await this.repo.active(db)) ?? null;
    if (!activation) return { compiled: DEFAULT_POLICY, source: 'built_in', activation: null };
    let compiled = this.compiled.get(activation.digest);
    if (!compiled) {
      const version = await this.repo.version(activation.digest, db);
      compiled = compilePolicy(version!.normalized);
      if (this.compiled.size > 100) this.compiled.clear();
      this.compiled.set(activation.digest, compiled);
    }
    return { compiled, source: 'stored', activation };
  }

  async put(principal: Principal, input: { yaml: string; activate: boolean; reason: string | null }) {
    const policy = ChangePolicyService.parse(input.yaml);
    const compiled = compilePolicy(policy);
    return this.repo.db.transaction(async (m) => {
      const created = await this.repo.insertVersion(m, { digest: compiled.digest, yaml: input.yaml, normalized: policy, by: principal.name, token: principal.tokenId, at: this.clock.now() });
      if (created) {
        await this.audit.record(m, principal, { action: 'changes.policy_version.create', subject: `change_policy:${compiled.digest}`, reason: input.reason, details: { digest: compiled.digest } });
        this.metrics.decision(CHANGES.name, 'policy_version');
      }
      const activation = input.activate ? await this.record(m, principal, compiled.digest, input.reason) : null;
      return { digest: compiled.digest, created, activated: activation !== null, active_digest: (await this.active(m)).compiled.digest };
    });
  }

  async activate(principal: Principal, digest: string, reason: string | null) {
    return this.repo.db.transaction(async (m) => {
      if (!(await this.repo.version(digest, m))) {
        if (digest !== DEFAULT_POLICY.digest) throw ChangesErrors.raise('policy_version_not_found', `no stored change policy version ${digest}`);
        // Going back to Autopack's default: it is stored like any other version the first time.
        await this.repo.insertVersion(m, { digest, yaml: DEFAULT_POLICY_YAML, normalized: DEFAULT_POLICY.policy, by: principal.name, token: principal.tokenId, at: this.clock.now() });
      }
      const row = await this.record(m, principal, digest, reason);
      return { active_digest: row.digest, activated_by: row.activated_by, activated_at: row.activated_at.toISOString(), reason: row.reason };
    });
  }

  private async record(m: EntityManager, principal: Principal, digest: string, reason: string | null): Promise<ActivationRow> {
    const before = (await this.repo.active(m))?.digest ?? DEFAULT_POLICY.digest;
    const row = await this.repo.activate(m, { digest, by: principal.name, token: principal.tokenId, reason, at: this.clock.now() });
    await this.audit.record(m, principal, { action: 'changes.policy.activate', subject: 'change_policy', reason, details: { before, after: digest } });
    this.metrics.decision(CHANGES.name, 'policy_activate');
    return row;
  }

  async current() {
    const a = await this.active();
    const yaml = a.source === 'built_in' ? DEFAULT_POLICY_YAML : (await this.repo.version(a.compiled.digest))!.yaml;
    return {
      active_digest: a.compiled.digest,
      source: a.source,
      activated_by: a.activation?.activated_by ?? null,
      activated_at: a.activation?.activated_at.toISOString() ?? null,
      default_digest: DEFAULT_POLICY.digest,
      yaml,
      policy: a.compiled.policy,
    };
  }

  async history(limit = 100) {
    const [versions, activations] = await Promise.all([this.repo.versions(limit), this.repo.activations(limit)]);
    return {
      default_digest: DEFAULT_POLICY.digest,
      versions: versions.map((v) => ({ digest: v.digest, created_by: v.created_by, created_at: v.created_at.toISOString() })),
      activations: activations.map((a) => ({ digest: a.digest, activated_by: a.activated_by, reason: a.reason, activated_at: a.activated_at.toISOString() })),
    };
  }

  async version(digest: string) {
    const v = digest === DEFAULT_POLICY.digest ? { digest, yaml: DEFAULT_POLICY_YAML, normalized: DEFAULT_POLICY.policy, created_by: 'built_in', created_at: null } : await this.repo.version(digest);
    if (!v) throw ChangesErrors.raise('policy_version_not_found', `no stored change policy version ${digest}`);
    return { digest: v.digest, yaml: v.yaml, policy: v.normalized, created_by: v.created_by, created_at: v.created_at ? new Date(v.created_at).toISOString() : null };
  }
}
