import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ARCHITECTURES } from '#fmnist';
import { ArchitectureDto } from './dto/architecture.dto.js';

@ApiTags('training jobs')
@Controller('v1/architectures')
export class ArchitecturesController {
  @Get()
  @ApiOperation({
    summary:
      'The model architectures a training job can name, with their defaults',
    description:
      'The first is the default architecture. Forms (the web page) read their choices and defaults here.',
  })
  @ApiOkResponse({ type: [ArchitectureDto] })
  list(): ArchitectureDto[] {
    return ARCHITECTURES.map(({ name, description, training }) => ({
      name,
      description,
      training: { ...training },
    }));
  }
}
