import { Module } from '@nestjs/common';
import { KafkaAdminService } from './kafka-admin.service.js';

@Module({
  providers: [KafkaAdminService],
  exports: [KafkaAdminService],
})
export class KafkaAdminModule {}
