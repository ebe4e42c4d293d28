import { Module } from '@nestjs/common';
import { ModelRegistryModule } from '#model-registry';
import { LoadedModelsService } from './loaded-models.service.js';

@Module({
  imports: [ModelRegistryModule],
  providers: [LoadedModelsService],
  exports: [LoadedModelsService],
})
export class ModelsModule {}
