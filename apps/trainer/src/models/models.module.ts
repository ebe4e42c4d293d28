import { Module } from '@nestjs/common';
import { ModelRegistryModule } from '#model-registry';
import { ModelReleases } from './model-releases.service.js';
import { ModelsController } from './models.controller.js';

@Module({
  imports: [ModelRegistryModule],
  controllers: [ModelsController],
  providers: [ModelReleases],
  exports: [ModelReleases],
})
export class ModelsModule {}
