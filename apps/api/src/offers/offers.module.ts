import { Module } from '@nestjs/common';
import { HeimdallModule } from '#heimdall';
import { OffersController } from './offers.controller.js';
import { OffersRepository } from './offers.repository.js';
import { OffersService } from './offers.service.js';

@Module({
  imports: [HeimdallModule],
  controllers: [OffersController],
  providers: [OffersRepository, OffersService],
})
export class OffersModule {}
