import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GoLiveModule } from '#go-live';
import { HEIMDALL_ENTITIES } from './entities/index.js';
import { HeimdallController } from './heimdall.controller.js';
import { HeimdallJobs } from './heimdall.jobs.js';
import { HeimdallMetrics } from './heimdall.metrics.js';
import { HeimdallService } from './heimdall.service.js';

@Module({
  imports: [TypeOrmModule.forFeature(HEIMDALL_ENTITIES), GoLiveModule],
  controllers: [HeimdallController],
  providers: [HeimdallService, HeimdallJobs, HeimdallMetrics],
  exports: [HeimdallService],
})
export class HeimdallModule {}
