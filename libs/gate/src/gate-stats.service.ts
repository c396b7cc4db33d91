import { Injectable } from '@nestjs/common';
import { GateRepository } from './gate.repository.js';
import { GateStatsResponseDto } from './dto/stats.dto.js';

/** GET /gate/stats: SQL aggregates over the stored decisions. */
@Injectable()
export class GateStatsService {
  constructor(private readonly repo: GateRepository) {}

  async stats(since?: Date, until?: Date): Promise<GateStatsResponseDto> {
    return GateStatsResponseDto.from(await this.repo.stats(since ?? null, until ?? null), since ?? null, until ?? null);
  }
}
