import { Module } from '@nestjs/common';
import { HeimdallModule } from '#heimdall';
import { OffersController } from './offers.controller.js';
import { OffersService } from './offers.service.js';

@Module({
  imports: [HeimdallModule],
  controllers: [OffersController],
  providers: [OffersService],
})
export class OffersModule {}
