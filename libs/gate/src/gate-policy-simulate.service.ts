import { Injectable } from '@nestjs/common';
import { policyDigestOf } from './decide/evaluate.js';
import { parsePolicyYaml } from './decide/policy.js';
import { REPLAY_DEFAULT, replayIntents } from './decide/policy-replay.js';
import type { GatePolicy } from './decide/types.js';
import { GateErrors } from './gate.errors.js';
import { GatePolicyService } from './gate-policy.service.js';
import { GateReplayRepository } from './gate-replay.repository.js';
import { GateRepository } from './gate.repository.js';
import { type SimulatePolicyDto, SimulatePolicyResponseDto } from './dto/simulate.dto.js';

/**
 * A candidate policy against recent traffic: the newest N stored decisions of the policy, their
 * intents judged again under the candidate and under the active version with the pure evaluator
 * (decide/policy-replay.ts). Reads only: nothing is recorded, cached or activated.
 */
@Injectable()
export class GatePolicySimulateService {
  constructor(
    private readonly repo: GateRepository,
    private readonly replays: GateReplayRepository,
  ) {}

  async simulate(name: string, body: SimulatePolicyDto): Promise<SimulatePolicyResponseDto> {
    if ((body.digest === undefined) === (body.yaml === undefined)) {
      throw GateErrors.raise('invalid_policy', 'send exactly one of digest (a stored version) and yaml (a candidate text)', {
        details: { fields: [{ field: 'body', problems: ['exactly one of digest and yaml'] }] },
      });
    }
    const limit = body.limit ?? REPLAY_DEFAULT;
    const [candidate, activeRow, stored] = await Promise.all([this.candidate(name, body), this.repo.activePolicy(name), this.replays.recentIntents(name, limit)]);
    const active = activeRow ? parsePolicyYaml(activeRow.yaml) : null;
    const report = replayIntents(
      candidate.policy,
      active,
      stored.map((r) => ({ decision_id: r.id, created_at: new Date(r.created_at).toISOString(), identity: r.identity, recorded_verdict: r.verdict, intent: r.intent })),
    );
    return SimulatePolicyResponseDto.from({
      policy: name,
      activeDigest: activeRow?.active_digest ?? null,
      mode: activeRow?.mode ?? null,
      candidateDigest: policyDigestOf(candidate.policy),
      candidateStored: candidate.stored,
      limit,
      report,
    });
  }

  /** The candidate: a stored version of `name` (404 when it has none by that digest), or a text parsed as PUT parses it (400 invalid_policy). */
  private async candidate(name: string, body: SimulatePolicyDto): Promise<{ policy: GatePolicy; stored: boolean }> {
    if (body.yaml !== undefined) return { policy: GatePolicyService.parse(body.yaml), stored: false };
    const version = await this.repo.version(this.repo.db, name, body.digest!);
    if (!version) {
      if (!(await this.repo.policy(name))) throw GateErrors.raise('policy_not_found', `no gate policy ${name}`);
      throw GateErrors.raise('policy_version_not_found', `policy ${name} has no version ${body.digest}`);
    }
    return { policy: parsePolicyYaml(version.yaml), stored: true };
  }
}
