import { Module } from '@nestjs/common';
import { KafkaLivenessService } from './kafka-liveness.service.js';

@Module({
  providers: [KafkaLivenessService],
  exports: [KafkaLivenessService],
})
export class KafkaLivenessModule {}
