import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { ReadinessIndicator } from '#platform';
import { LoadedModelsService } from './loaded-models.service.js';

/** A classifier without a model can only refuse requests: not ready. */
@Injectable()
export class ModelHealthIndicator implements ReadinessIndicator {
  constructor(
    private readonly models: LoadedModelsService,
    private readonly health: HealthIndicatorService,
  ) {}

  isReady() {
    const indicator = this.health.check('model');
    const active = this.models.active;
    return active
      ? indicator.up({ name: active.ref.name, version: active.ref.version })
      : indicator.down({
          message: 'no model loaded: none has been promoted yet',
        });
  }
}
