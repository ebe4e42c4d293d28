import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../classification/dto/error-response.dto.js';
import { SampleDto, SamplesQueryDto } from './dto/sample.dto.js';
import { SampleImagesService } from './sample-images.service.js';

@ApiTags('web page')
@Controller('v1/samples')
export class SamplesController {
  constructor(private readonly samples: SampleImagesService) {}

  @Get()
  @ApiOperation({
    summary: 'Random images of the official test split, with their labels',
    description: 'To try the classifier without files of your own.',
  })
  @ApiOkResponse({ type: [SampleDto] })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: 'The dataset files cannot be read at FMNIST_DIR',
  })
  list(@Query() query: SamplesQueryDto): Promise<SampleDto[]> {
    return this.samples.pick(query.count);
  }
}
