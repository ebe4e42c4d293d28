import { Module } from '@nestjs/common';
import { PlatformModule } from '#platform';
import { ClassificationModule } from './classification/classification.module.js';
import { GatewayEnvironment } from './config/gateway.environment.js';
import { LabelsModule } from './labels/labels.module.js';
import { ModelsModule } from './models/models.module.js';

@Module({
  imports: [
    PlatformModule.forApp({ app: 'gateway', environment: GatewayEnvironment }),
    ClassificationModule,
    LabelsModule,
    ModelsModule,
  ],
})
export class GatewayModule {}
