import { Inject, Injectable, Optional } from '@nestjs/common';
import { assertIdentityAllowed, AuditService, Clock, type Principal } from '#platform';
import { assertPrior, DEFAULT_TRUST_PRIOR, type TrustPrior, trustScore, type TrustScore } from './decide/trust.js';
import { GateCacheService } from './gate-cache.service.js';
import { GateErrors } from './gate.errors.js';
import { GateRepository } from './gate.repository.js';
import { TrustOutcomeDto, TrustOverrideDto, TrustResponseDto } from './dto/trust.dto.js';

/** Provide this token to change the prior (default mean 0.8, strength 10 pseudo-observations). */
export const GATE_TRUST_PRIOR = Symbol('GATE_TRUST_PRIOR');
const EVIDENCE_SHOWN = 20;

/** Trust per identity: outcomes reported, operator overrides, the score the gate compares with the threshold. */
@Injectable()
export class GateTrustService {
  readonly prior: TrustPrior;

  constructor(
    private readonly repo: GateRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly cache: GateCacheService,
    @Optional() @Inject(GATE_TRUST_PRIOR) prior?: TrustPrior,
  ) {
    this.prior = prior ?? DEFAULT_TRUST_PRIOR;
    assertPrior(this.prior);
  }

  scoreOf(identity: string): Promise<TrustScore> {
    return this.cache.get(`trust:${identity}`, () => this.computeScore(identity));
  }

  private async computeScore(identity: string): Promise<TrustScore> {
    const c = await this.repo.trustCounts(identity);
    return trustScore({ allowed: c.allowed, violations: c.violations, override: c.override ? Number(c.override.score) : null }, this.prior);
  }

  async get(identity: string): Promise<TrustResponseDto> {
    const [c, recent] = await Promise.all([this.repo.trustCounts(identity), this.repo.recentOutcomes(identity, EVIDENCE_SHOWN)]);
    const s = trustScore({ allowed: c.allowed, violations: c.violations, override: c.override ? Number(c.override.score) : null }, this.prior);
    return TrustResponseDto.from({
      identity,
      score: s.score,
      estimate: s.estimate,
      source: s.source,
      prior: { ...this.prior },
      allowed: c.allowed,
      violations: c.violations,
      override: c.override ? TrustOverrideDto.from(c.override) : null,
      evidence: recent.map((r) => TrustOutcomeDto.from(r)),
    });
  }

  /**
   * Records an outcome. An engine token only against an identity it may claim (its name or its
   * `identities`: otherwise one agent could report violations that block another), and only
   * violations (an engine vouching for itself would raise its own trust); a decision named must
   * exist, be this identity's, and have been allowed. Operators record against any identity.
   */
  async report(principal: Principal, identity: string, input: { outcome: 'allowed' | 'violation'; gate_decision_id?: string; reason: string }): Promise<TrustResponseDto> {
    assertIdentityAllowed(principal, identity);
    if (principal.role === 'engine' && input.outcome !== 'violation') {
      throw GateErrors.raise('outcome_not_permitted', 'engine tokens may report only violations; an operator records allowed outcomes');
    }
    await this.repo.db.transaction(async (m) => {
      if (input.gate_decision_id) {
        const d = await this.repo.decision(m, input.gate_decision_id);
        if (!d) throw GateErrors.raise('decision_not_found', `no gate decision ${input.gate_decision_id}`);
        if (d.identity !== identity || d.verdict !== 'allow' || d.simulate) {
          throw GateErrors.raise('decision_not_allowed', `gate decision ${d.id} is not an allowed, enforced decision of ${identity}`, { details: { identity: d.identity, verdict: d.verdict, simulate: d.simulate } });
        }
      }
      const row = await this.repo.insertOutcome(m, { identity, outcome: input.outcome, decisionId: input.gate_decision_id ?? null, reason: input.reason, by: principal.name, token: principal.tokenId, at: this.clock.now() });
      await this.audit.record(m, principal, { action: 'gate.trust.outcome', subject: `gate_identity:${identity}`, reason: input.reason, details: { outcome: row.outcome, gate_decision_id: row.gate_decision_id } });
      await this.cache.changed(m);
    });
    this.cache.clear();
    return this.get(identity);
  }

  /** Sets (or, with null, clears) the operator's override; audited with the score before and after. */
  async override(principal: Principal, identity: string, score: string | null, reason: string): Promise<TrustResponseDto> {
    await this.repo.db.transaction(async (m) => {
      const before = await this.repo.trustCounts(identity, m);
      await this.repo.insertOverride(m, { identity, score, reason, by: principal.name, token: principal.tokenId, at: this.clock.now() });
      await this.audit.record(m, principal, {
        action: score === null ? 'gate.trust.override.clear' : 'gate.trust.override.set',
        subject: `gate_identity:${identity}`,
        reason,
        details: { before: before.override ? Number(before.override.score) : null, after: score === null ? null : Number(score) },
      });
      await this.cache.changed(m);
    });
    this.cache.clear();
    return this.get(identity);
  }
}
