import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { GoLiveService } from '#go-live';
import { Clock, MetricsService, SYSTEM_PRINCIPAL, utcDay } from '#platform';
import { ClosedDayDto, ScorecardDomainDto, ScorecardResponseDto } from './dto/scorecard.dto.js';
import { HEIMDALL } from './heimdall.lever.js';
import { unknownDomain } from './heimdall.errors.js';
import { HeimdallRepository, type TrialsOverDaysRow } from './heimdall.repository.js';

/** How many closed days the closed-scorecard route returns. */
const CLOSED_DAYS_SHOWN = 31;

/** The scorecard: today's window per domain, and the daily close that snapshots each day. */
@Injectable()
export class HeimdallScorecardService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: HeimdallRepository,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    private readonly goLive: GoLiveService,
  ) {}

  /** Today's scorecard (window ending today, UTC, by the injected clock), per domain, with each gate's distance. */
  async today(domain?: string): Promise<ScorecardResponseDto> {
    const killSwitchEngaged = await this.goLive.killSwitchEngaged();
    const now = this.clock.now();
    const day = utcDay(now);
    const rows = await this.repo.windowRows(this.dataSource, day, domain);
    if (domain && rows.length === 0) throw unknownDomain(domain);
    return ScorecardResponseDto.from(day, now, killSwitchEngaged, rows);
  }

  /**
   * Closes a UTC day: one `scorecard.closed` event per domain with that day's counters and the
   * window's gates as of its end, in the job's transaction (once per day, whatever the retries).
   */
  async closeDay(manager: EntityManager, day: string): Promise<{ day: string; domains: number; closed: number }> {
    const killSwitchEngaged = await this.goLive.killSwitchEngaged();
    const now = this.clock.now();
    const rows = await this.repo.windowRows(manager, day);
    let closed = 0;
    for (const r of rows) {
      const card = ScorecardDomainDto.from(r, day, killSwitchEngaged);
      const details = {
        day_counts: card.today,
        window: { from: card.window_from, to: card.window_to, trials: card.trials, successes: card.successes, confidence_sum: card.confidence_sum },
        success_rate: card.success_rate,
        avg_confidence: card.avg_confidence,
        policy: card.policy,
        prod_eligible: card.prod_eligible,
        reason_codes: card.reason_codes,
        gates: card.gates,
        summary: card.summary,
      };
      if (await this.repo.insertClosedDay(manager, now, day, card.domain, card.gate_reason, SYSTEM_PRINCIPAL.name, details)) closed += 1;
    }
    this.metrics.decision(HEIMDALL.name, 'scorecard_closed', closed);
    return { day, domains: rows.length, closed };
  }

  /** The closed-day snapshots of one domain (or all), newest first. */
  /** Each domain's sandbox trials over [fromDay, toDay] (UTC days, inclusive): the promotion review's input. */
  trialsOverDays(manager: EntityManager, fromDay: string, toDay: string): Promise<TrialsOverDaysRow[]> {
    return this.repo.trialsOverDays(manager, fromDay, toDay);
  }

  async closedDays(domain?: string): Promise<ClosedDayDto[]> {
    return (await this.repo.closedDays(domain, CLOSED_DAYS_SHOWN)).map(ClosedDayDto.from);
  }
}
