import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type StreamSnapshotItem, StreamEvents, StreamService, StreamSnapshot } from '#platform';
import type { HeimdallPolicyResponseDto } from './dto/policy.dto.js';
import { HeimdallRepository } from './heimdall.repository.js';
import { HEIMDALL } from './heimdall.lever.js';

/** Heimdall on the control-state stream (docs/stream.md): a domain's `prod_use_enabled`, seen by tokens bound to that domain. */
@Injectable()
@StreamEvents(HEIMDALL, ['heimdall.prod_use_enabled', 'heimdall.prod_use_disabled'])
export class HeimdallStream {
  constructor(
    private readonly stream: StreamService,
    private readonly repo: HeimdallRepository,
  ) {}

  /** A policy upsert, in its transaction: an event only when `prod_use_enabled` changed (or a policy was created). */
  async upserted(manager: EntityManager, before: HeimdallPolicyResponseDto | null, after: HeimdallPolicyResponseDto): Promise<void> {
    if (before && before.prod_use_enabled === after.prod_use_enabled) return;
    await this.stream.publish(manager, HEIMDALL, {
      type: after.prod_use_enabled ? 'heimdall.prod_use_enabled' : 'heimdall.prod_use_disabled',
      scope: { domains: [after.domain] },
      data: { domain: after.domain, prod_use_enabled: after.prod_use_enabled, updated_by: after.updated_by },
    });
  }

  @StreamSnapshot(HEIMDALL)
  async snapshot(): Promise<StreamSnapshotItem[]> {
    return (await this.repo.listPolicies()).map((p) => ({ key: p.domain, value: { domain: p.domain, prod_use_enabled: p.prod_use_enabled }, scope: { domains: [p.domain] } }));
  }
}
