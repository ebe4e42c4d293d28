import { Module } from '@nestjs/common';
import { ModelRegistryModule } from '#model-registry';
import { ModelsController } from './models.controller.js';

@Module({
  imports: [ModelRegistryModule],
  controllers: [ModelsController],
})
export class ModelsModule {}
