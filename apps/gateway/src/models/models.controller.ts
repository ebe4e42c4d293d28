import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ModelDto, ModelRegistryService } from '#model-registry';

@ApiTags('models')
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly registry: ModelRegistryService) {}

  @Get()
  @ApiOperation({
    summary:
      'Every model version the classifiers can serve, the active one marked',
  })
  @ApiOkResponse({ type: [ModelDto] })
  list(): ModelDto[] {
    return this.registry.describeAll();
  }
}
