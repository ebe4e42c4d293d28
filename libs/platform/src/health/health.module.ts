import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { KafkaAdminModule } from '../kafka/kafka-admin.module.js';
import { HealthController } from './health.controller.js';
import { KafkaHealthIndicator } from './kafka.health.js';

@Module({
  imports: [TerminusModule, KafkaAdminModule],
  controllers: [HealthController],
  providers: [KafkaHealthIndicator],
})
export class HealthModule {}
