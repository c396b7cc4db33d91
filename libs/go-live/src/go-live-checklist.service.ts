import { Injectable } from '@nestjs/common';
import { AuditService, type ChecklistItem, JobRunner, type Principal, ReadinessCheck, ReadinessRegistry, WardenConfig } from '#platform';
import { GO_LIVE } from './go-live.lever.js';
import { ChecklistResponseDto } from './dto/go-live.dto.js';
import { GoLiveErrors } from './go-live.errors.js';
import { GoLiveRepository } from './go-live.repository.js';

const REQUIRED_PACKS = 'required_packs_installed';
const BACKEND_COMPLETE = 'backend_complete';

/** The go-live readiness checklist: computed items (contributed by the levers) and operator attestations. */
@Injectable()
export class GoLiveChecklistService {
  constructor(
    private readonly repo: GoLiveRepository,
    private readonly config: WardenConfig,
    private readonly audit: AuditService,
    private readonly jobs: JobRunner,
    private readonly registry: ReadinessRegistry,
  ) {}

  async checklist(): Promise<ChecklistResponseDto> {
    const required: Record<string, ChecklistItem> = await this.registry.evaluate();
    if (!required[REQUIRED_PACKS]) required[REQUIRED_PACKS] = { ok: false, detail: 'no policy pack has been registered' };
    const byItem = new Map((await this.repo.attestations()).map((a) => [a.item, a]));
    for (const item of new Set([...this.config.GO_LIVE_REQUIRED_ATTESTATIONS, ...byItem.keys()])) {
      const a = byItem.get(item);
      required[item] = a
        ? {
            ok: a.attested,
            detail: `${a.attested ? 'attested' : 'withdrawn'} by ${a.attested_by} at ${new Date(a.attested_at).toISOString()}${a.note ? `: ${a.note}` : ''}`,
          }
        : { ok: false, detail: 'awaiting operator attestation (PUT /api/governance/go-live/checklist/' + item + ')' };
    }
    return ChecklistResponseDto.from(required);
  }

  async attest(principal: Principal, item: string, input: { attested: boolean; note?: string; actor?: string }): Promise<ChecklistResponseDto> {
    if (!/^[a-z0-9_]{1,64}$/.test(item)) throw GoLiveErrors.raise('validation_failed', 'invalid item: must match [a-z0-9_]{1,64}');
    if (item === BACKEND_COMPLETE || item === REQUIRED_PACKS) {
      throw GoLiveErrors.raise('unknown_checklist_item', `${item} is computed by Warden and cannot be attested`);
    }
    await this.repo.db.transaction(async (manager) => {
      await this.repo.attest(manager, item, input.attested, input.note ?? null, principal.name);
      await this.audit.record(manager, principal, {
        action: `${GO_LIVE.name}.attest`,
        subject: `go_live.checklist:${item}`,
        actorLabel: input.actor,
        reason: input.note,
        details: { attested: input.attested },
      });
    });
    return this.checklist();
  }

  @ReadinessCheck(GO_LIVE, BACKEND_COMPLETE)
  async backendComplete(): Promise<{ ok: boolean; detail: string }> {
    const pending = await this.repo.db.showMigrations();
    const jobs = this.jobs.registered();
    const problems = [
      ...(pending ? ['migrations pending'] : []),
      ...(!this.config.JOBS_ENABLED ? ['scheduled jobs disabled (JOBS_ENABLED=0)'] : []),
      ...(jobs.length === 0 ? ['no scheduled jobs registered'] : []),
    ];
    return problems.length
      ? { ok: false, detail: problems.join('; ') }
      : { ok: true, detail: `migrations applied, database reachable, jobs registered: ${jobs.map((j) => j.name).join(', ')}` };
  }
}
