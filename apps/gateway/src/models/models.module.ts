import { Module } from '@nestjs/common';
import { ModelRegistryModule } from '#platform';
import { ModelsController } from './models.controller.js';

@Module({
  imports: [ModelRegistryModule],
  controllers: [ModelsController],
})
export class ModelsModule {}
