import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LABELS } from '#fmnist';
import { LabelDto } from './label.dto.js';

@ApiTags('labels')
@Controller('v1/labels')
export class LabelsController {
  @Get()
  @ApiOperation({
    summary: 'The ten classes, in the order of the probabilities',
  })
  @ApiOkResponse({ type: [LabelDto] })
  list(): LabelDto[] {
    return LABELS.map((label) => ({ ...label }));
  }
}
