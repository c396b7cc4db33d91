import { Module } from '@nestjs/common';
import { RiskGuardModule } from '#risk-guard';
import { DealsController } from './deals.controller.js';
import { DealsRepository } from './deals.repository.js';
import { DealsService } from './deals.service.js';

@Module({
  imports: [RiskGuardModule],
  controllers: [DealsController],
  providers: [DealsRepository, DealsService],
})
export class DealsModule {}
