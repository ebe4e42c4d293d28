import { Controller, Get, UseFilters } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  LiveDto,
  ReadyDto,
  ServerMetadataDto,
} from './dto/model-metadata.dto.js';
import { InferenceErrorDto } from './dto/inference-response.dto.js';
import { InferenceErrorFilter } from './inference-error.filter.js';
import { InferenceProtocolService } from './inference-protocol.service.js';

/** The extensions of the protocol the gateway speaks (Triton's names). */
const EXTENSIONS = [
  'binary_tensor_data',
  'classification',
  'model_configuration',
];

/** The gateway's API version, as its OpenAPI document gives it. */
const SERVER_VERSION = '1';

@ApiTags('inference protocol (v2)')
@Controller('v2')
@UseFilters(InferenceErrorFilter)
export class InferenceServerController {
  constructor(private readonly inference: InferenceProtocolService) {}

  @Get()
  @ApiOperation({ summary: 'Server metadata: name, version, extensions' })
  @ApiOkResponse({ type: ServerMetadataDto })
  metadata(): ServerMetadataDto {
    return {
      name: 'fashion-kafka',
      version: SERVER_VERSION,
      extensions: EXTENSIONS,
    };
  }

  @Get('health/live')
  @ApiOperation({ summary: 'Liveness: the gateway serves HTTP' })
  @ApiOkResponse({ type: LiveDto })
  live(): LiveDto {
    return { live: true };
  }

  @Get('health/ready')
  @ApiOperation({
    summary:
      'Readiness: Kafka, through which the classifiers answer, is reachable',
  })
  @ApiOkResponse({ type: ReadyDto })
  @ApiServiceUnavailableResponse({ type: InferenceErrorDto })
  async ready(): Promise<ReadyDto> {
    await this.inference.assertReady();
    return { ready: true };
  }
}
