import { Module } from '@nestjs/common';
import { ModelRegistryModule } from '#platform';
import { ModelStore } from './model-store.service.js';

@Module({
  imports: [ModelRegistryModule],
  providers: [ModelStore],
  exports: [ModelStore],
})
export class ModelsModule {}
