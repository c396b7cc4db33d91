import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ApprovalsService } from '#approvals';
import { assertEngineAllowed, boundEngines, Clock, isBound, MetricsService, OutboxService, type Principal } from '#platform';
import { answerOf } from './decide/answer.js';
import { type ChangeInput, parseChange } from './decide/change-input.js';
import { decideChange } from './decide/decide.js';
import { ChangeInputError } from './decide/input-error.js';
import { ChangePolicyService } from './change-policy.service.js';
import { type ChangeView, viewOf } from './change-view.js';
import { CHANGES } from './changes.lever.js';
import { ChangesErrors } from './changes.errors.js';
import { autoApprovedNotification } from './changes.notifications.js';
import { ChangesRepository } from './changes.repository.js';

/** The approval kind of a held change, and of a break-glass's retroactive review. */
export const CHANGE_KIND = 'change';
export const CHANGE_REVIEW_KIND = 'change_review';

export interface Proposed {
  /** 201 auto-approved (tiers 1-2), 202 held (tiers 3-4). */
  status: 201 | 202;
  body: ChangeView;
}

/** A change-input problem as the platform's 400: every problem's code in reason_codes, each field in details. */
export function invalidChange(e: ChangeInputError) {
  const fields = new Map<string, string[]>();
  for (const p of e.problems) fields.set(p.field, [...(fields.get(p.field) ?? []), p.problem]);
  return ChangesErrors.raise('invalid_change', e.message, {
    reasonCodes: [...new Set(e.problems.map((p) => p.code))],
    details: { fields: [...fields].map(([field, problems]) => ({ field, problems })) },
  });
}

/**
 * POST /changes: reads the change, checks the caller may file for its run, decides it under the
 * policy in force and records it, all in one transaction with what follows from it: a held change's
 * approval request (kind `change`, filed as the caller, so neither it nor its person can decide it),
 * a tier-2 change's notification. A refused change stores nothing.
 */
@Injectable()
export class ChangesService {
  constructor(
    private readonly repo: ChangesRepository,
    private readonly policies: ChangePolicyService,
    private readonly approvals: ApprovalsService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  async propose(principal: Principal, body: unknown): Promise<Proposed> {
    let change: ChangeInput;
    try {
      change = parseChange(body);
    } catch (e) {
      if (!(e instanceof ChangeInputError)) throw e;
      this.metrics.decision(CHANGES.name, 'invalid');
      throw invalidChange(e);
    }
    const asked = this.engineFor(principal, change);
    const now = this.clock.now();
    const row = await this.repo.db.transaction(async (m) => {
      const engine = await this.checkRun(m, principal, change, asked, now);
      const { compiled } = await this.policies.active(m);
      const decision = decideChange(compiled, change);
      const answer = answerOf({ ...change, engine }, decision, compiled.digest);
      const id = randomUUID();
      let approval: { approval_id: string; expires_at: string } | null = null;
      if (!decision.auto_approved) {
        approval = await this.approvals.request(
          principal,
          {
            kind: CHANGE_KIND,
            subject: `change:${id}`,
            payload: { request_id: id, run_id: change.run_id, phase_id: change.phase_id, paths: change.paths, diff_stats: change.diff_stats, tier: decision.tier, risk_level: decision.risk_level, policy_digest: compiled.digest },
            reason: heldReason(change, decision.tier, decision.reason_codes, decision.violated_paths),
            riskLevel: decision.risk_level,
            timeoutSeconds: compiled.policy.approval.timeout_seconds,
          },
          m,
        );
      }
      const stored = await this.repo.insert(m, {
        id,
        runId: change.run_id,
        phaseId: change.phase_id,
        engine,
        tier: decision.tier,
        riskLevel: decision.risk_level,
        autoApproved: decision.auto_approved,
        policyDigest: compiled.digest,
        answer,
        approvalId: approval?.approval_id ?? null,
        expiresAt: approval ? new Date(approval.expires_at) : null,
        requestedBy: principal.name,
        requestedByToken: principal.tokenId,
        createdAt: now,
      });
      if (decision.tier === 2) await this.outbox.enqueue(m, autoApprovedNotification(stored));
      return stored;
    });
    this.metrics.decision(CHANGES.name, `tier_${row.tier}`);
    return { status: row.auto_approved ? 201 : 202, body: viewOf(row, now) };
  }

  /**
   * Which engine the run is filed under. A bound engine token files only under one of its engines
   * (given as `engine`, or its only one); an unbound caller may name any, or none.
   */
  private engineFor(principal: Principal, change: ChangeInput): string | null {
    if (!isBound(principal)) return change.engine;
    const engines = boundEngines(principal) ?? [];
    const engine = change.engine ?? (engines.length === 1 ? engines[0] : null);
    if (!engine) {
      throw ChangesErrors.raise('engine_required', `token '${principal.name}' is bound to ${engines.length ? engines.join(', ') : 'no engine'}: name the run's engine in "engine"`, {
        details: { fields: [{ field: 'engine', problems: ['required for a token bound to several engines (or none)'] }] },
      });
    }
    assertEngineAllowed(principal, engine);
    return engine;
  }

  /**
   * A bound engine's own runs: the run belongs to the engine its first change was filed under
   * (claimed then, never changed). A bound token may file only into runs of its engines; an unbound
   * caller into any run, but it cannot contradict the run's engine. Returns the run's engine.
   */
  private async checkRun(m: EntityManager, principal: Principal, change: ChangeInput, engine: string | null, now: Date): Promise<string | null> {
    const run = await this.repo.claimRun(m, change.run_id, engine, principal.name, principal.tokenId, now);
    if (run.engine === engine || (!isBound(principal) && change.engine === null)) return run.engine;
    if (isBound(principal)) {
      throw ChangesErrors.raise('run_not_owned', `run ${change.run_id} belongs to ${run.engine ? `engine ${run.engine}` : 'no engine'}; token '${principal.name}' files only for its own engines' runs`, {
        details: { run_id: change.run_id, run_engine: run.engine },
      });
    }
    throw ChangesErrors.raise('run_engine_mismatch', `run ${change.run_id} belongs to ${run.engine ? `engine ${run.engine}` : 'no engine'}, not ${engine}`, { details: { run_id: change.run_id, run_engine: run.engine } });
  }
}

function heldReason(change: ChangeInput, tier: number, codes: readonly string[], violated: readonly string[]): string {
  const paths = violated.length <= 3 ? violated.join(', ') : `${violated.slice(0, 3).join(', ')} and ${violated.length - 3} more`;
  const text = `change ${change.run_id}/${change.phase_id} (tier ${tier}: ${codes.join(', ')}): ${paths} — ${change.justification}`;
  return text.length > 1000 ? `${text.slice(0, 997)}...` : text;
}
