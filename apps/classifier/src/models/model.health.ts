import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { ReadinessIndicator } from '#platform';
import { LoadedModelsService } from './loaded-models.service.js';

/**
 * A classifier without a model can only refuse requests: not ready. One serving a fallback,
 * because the active version cannot be loaded, is ready and says what it serves instead of what.
 */
@Injectable()
export class ModelHealthIndicator implements ReadinessIndicator {
  constructor(
    private readonly models: LoadedModelsService,
    private readonly health: HealthIndicatorService,
  ) {}

  isReady() {
    const indicator = this.health.check('model');
    const { wanted, serving, failed } = this.models.status();
    const failures = failed.length > 0 ? { failed } : {};
    if (!serving) {
      return indicator.down({
        message: wanted
          ? `no model loaded: ${wanted.name} v${wanted.version} cannot be loaded, nor any other version`
          : 'no model loaded: none has been promoted yet',
        ...failures,
      });
    }
    const fellBack =
      wanted &&
      (wanted.name !== serving.name || wanted.version !== serving.version);
    return indicator.up({
      name: serving.name,
      version: serving.version,
      ...(fellBack ? { fallbackFor: wanted } : {}),
      ...failures,
    });
  }
}
