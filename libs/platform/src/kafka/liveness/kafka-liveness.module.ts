import { Module } from '@nestjs/common';
import { KafkaLiveness } from './kafka-liveness.service.js';

@Module({
  providers: [KafkaLiveness],
  exports: [KafkaLiveness],
})
export class KafkaLivenessModule {}
