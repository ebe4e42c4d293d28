import { Module } from '@nestjs/common';
import { PlatformModule } from '#platform';
import { ClassificationModule } from './classification/classification.module.js';
import { GatewayEnvironment } from './config/gateway.environment.js';
import { InferenceProtocolModule } from './inference-protocol/inference-protocol.module.js';
import { LabelsModule } from './labels/labels.module.js';
import { ModelsModule } from './models/models.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { TrainerProxyModule } from './trainer-proxy/trainer-proxy.module.js';
import { WebModule } from './web/web.module.js';

@Module({
  imports: [
    PlatformModule.forApp({ app: 'gateway', environment: GatewayEnvironment }),
    ClassificationModule,
    InferenceProtocolModule,
    LabelsModule,
    ModelsModule,
    RateLimitModule,
    TrainerProxyModule,
    WebModule,
  ],
})
export class GatewayModule {}
