import { Module } from '@nestjs/common';
import { ModelRegistryModule } from '#model-registry';
import { LoadedModelsService } from './loaded-models.service.js';
import { modelLoadMetricProviders } from './model-load.metrics.js';

@Module({
  imports: [ModelRegistryModule],
  providers: [LoadedModelsService, ...modelLoadMetricProviders],
  exports: [LoadedModelsService],
})
export class ModelsModule {}
