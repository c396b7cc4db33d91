import { Injectable } from '@nestjs/common';
import { AuditService, ReviewSection, type ReviewSectionContract } from '#platform';
import { GoLiveService } from './go-live.service.js';
import { GO_LIVE } from './go-live.lever.js';
import { type GoLiveReviewSection, renderGoLiveSection } from './go-live-review.render.js';

/**
 * The control plane's section of the weekly review: the state now and every go-live and
 * kill-switch change in the week, with who and why. go_live_state keeps only the current row, so
 * the history is the audit trail (actions `go_live.*` on subject `go_live`, written in the change's
 * transaction).
 */
@Injectable()
@ReviewSection(GO_LIVE, { order: 10, render: renderGoLiveSection })
export class GoLiveReviewService implements ReviewSectionContract<GoLiveReviewSection> {
  constructor(
    private readonly goLive: GoLiveService,
    private readonly audit: AuditService,
  ) {}

  async weekSection(from: Date, to: Date): Promise<GoLiveReviewSection> {
    const state = await this.goLive.state();
    const changes = await this.audit.changesBetween(GO_LIVE.name, `${GO_LIVE.name}.`, from, to);
    return {
      state_now: { go_live_enabled: state.go_live_enabled, kill_switch_engaged: state.kill_switch_engaged, enforced: state.enforced, reason: state.reason, changed_by: state.changed_by, updated_at: state.updated_at },
      changes: changes
        .filter((c) => c.action !== `${GO_LIVE.name}.attest`)
        .map((c) => ({ at: c.at.toISOString(), action: c.action.slice(GO_LIVE.name.length + 1), principal: c.principal, actor: c.actorLabel, reason: c.reason })),
    };
  }
}
