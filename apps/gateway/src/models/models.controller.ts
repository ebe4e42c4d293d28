import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ModelRegistry } from '#platform';
import { ModelSummaryDto } from './model-summary.dto.js';

@ApiTags('models')
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly registry: ModelRegistry) {}

  @Get()
  @ApiOperation({
    summary:
      'Every model version the classifiers can serve, the active one marked',
  })
  @ApiOkResponse({ type: [ModelSummaryDto] })
  list(): ModelSummaryDto[] {
    const active = this.registry.active;
    return this.registry.list().map((model) => ({
      name: model.name,
      version: model.version,
      architecture: model.architecture,
      dataset: model.dataset,
      metrics: {
        accuracy: model.metrics.accuracy,
        evaluatedOn: model.metrics.evaluatedOn,
      },
      createdAt: model.createdAt,
      active: active?.name === model.name && active.version === model.version,
    }));
  }
}
