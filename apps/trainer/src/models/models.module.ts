import { Module } from '@nestjs/common';
import { ModelRegistryModule } from '#model-registry';
import { ModelReleasesService } from './model-releases.service.js';
import { ModelsController } from './models.controller.js';

@Module({
  imports: [ModelRegistryModule],
  controllers: [ModelsController],
  providers: [ModelReleasesService],
  exports: [ModelReleasesService],
})
export class ModelsModule {}
