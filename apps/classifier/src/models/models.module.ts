import { Module } from '@nestjs/common';
import { ModelRegistryModule } from '#model-registry';
import { ModelStore } from './model-store.service.js';

@Module({
  imports: [ModelRegistryModule],
  providers: [ModelStore],
  exports: [ModelStore],
})
export class ModelsModule {}
