import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RiskGuardModule } from '#risk-guard';
import { DealEntity } from './deal.entity.js';
import { DealsController } from './deals.controller.js';
import { DealsService } from './deals.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([DealEntity]), RiskGuardModule],
  controllers: [DealsController],
  providers: [DealsService],
})
export class DealsModule {}
