import { Module } from '@nestjs/common';
import { KafkaAdminService } from './kafka-admin.service.js';
import { KafkaLiveness } from '../liveness/kafka-liveness.service.js';

@Module({
  providers: [KafkaAdminService, KafkaLiveness],
  exports: [KafkaAdminService, KafkaLiveness],
})
export class KafkaAdminModule {}
