import { Injectable } from '@nestjs/common';
import { DEFAULT_PAGE_LIMIT, toPage } from '#platform';
import { type EventsQueryDto, type RegressionEventPageDto, RegressionEventResponseDto } from './dto/events.dto.js';
import { RegressionStateResponseDto, type StateQueryDto } from './dto/state.dto.js';
import { RegressionStateRepository } from './regression-state.repository.js';
import { RegressionErrors } from './regression-tripwire.errors.js';

/** What the tripwire knows and did: the latest state per policy, and its event log. */
@Injectable()
export class RegressionStateService {
  constructor(private readonly states: RegressionStateRepository) {}

  async state(query: StateQueryDto = {}): Promise<RegressionStateResponseDto[]> {
    return (await this.states.list(query.domain ?? null, query.metric ?? null)).map((r) => RegressionStateResponseDto.from(r));
  }

  /** What the tripwire did, newest first: status changes, triggers, actions, resets (the Monday review reads this). */
  async events(query: EventsQueryDto = {}): Promise<RegressionEventPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await this.states.events(query, limit + 1);
    return toPage(rows, limit, (r) => r.id, (r) => RegressionEventResponseDto.from(r));
  }

  /** One event: a verdict's figures (baseline, current, drop, p-value) or an action's outcome. */
  async event(id: string): Promise<RegressionEventResponseDto> {
    const row = await this.states.event(id);
    if (!row) throw RegressionErrors.raise('regression_event_not_found', `no tripwire event ${id}`);
    return RegressionEventResponseDto.from(row);
  }
}
