import {
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Header,
  NotFoundException,
  Param,
  Post,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { ModelRecord, ModelRef, ModelSummary } from '#fmnist';
import { PositiveIntParam } from '#platform';
import {
  ActiveModelDto,
  ModelDto,
  ModelRegistryService,
} from '#model-registry';
import { ApiKeyRequired } from '../api-key/api-key.openapi.js';
import { modelJson, weightsBin } from './tfjs-export.js';

@ApiTags('models')
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly registry: ModelRegistryService) {}

  @Get()
  @ApiOperation({
    summary: 'Every published model version, the active one marked',
  })
  @ApiOkResponse({ type: [ModelDto] })
  list(): ModelDto[] {
    return this.registry.describeAll();
  }

  @Get(':name/versions/:version')
  @ApiOperation({
    summary: 'One model version with its metrics',
    description:
      'Download it as a tfjs model from `model.json` (and `weights.bin`) below this path.',
  })
  @ApiOkResponse({ type: ModelDto })
  @ApiNotFoundResponse({ description: 'No such model version' })
  get(
    @Param('name') name: string,
    @PositiveIntParam('version') version: number,
  ): ModelDto {
    return this.registry.describeOne(this.find({ name, version }));
  }

  @Delete(':name/versions/:version')
  @HttpCode(204)
  @ApiKeyRequired()
  @ApiOperation({
    summary: 'Retire a version',
    description:
      'Removes it from the registry (a tombstone on the compacted topic): every classifier drops it and it is never served again. Its number is not reused.',
  })
  @ApiNoContentResponse({ description: 'Retired' })
  @ApiNotFoundResponse({ description: 'No such model version' })
  @ApiConflictResponse({
    description: 'The active version: promote another one first',
  })
  async retire(
    @Param('name') name: string,
    @PositiveIntParam('version') version: number,
  ): Promise<void> {
    this.find({ name, version });
    if (this.registry.isActive({ name, version })) {
      throw new ConflictException(
        `model ${name} version ${version} is the active version: promote another one before retiring it`,
      );
    }
    await this.registry.retire({ name, version });
  }

  @Post(':name/versions/:version/promote')
  @HttpCode(200)
  @ApiKeyRequired()
  @ApiOperation({
    summary: 'Make a version the active model (roll forward or back)',
    description: 'Every running classifier switches to it without a restart.',
  })
  @ApiOkResponse({ type: ActiveModelDto })
  @ApiNotFoundResponse({ description: 'No such model version' })
  promote(
    @Param('name') name: string,
    @PositiveIntParam('version') version: number,
  ): Promise<ActiveModelDto> {
    this.find({ name, version });
    return this.registry.promote({ name, version });
  }

  @Get(':name/versions/:version/model.json')
  @ApiOperation({
    summary: 'The version as a tfjs layers model',
    description:
      "`tf.loadLayersModel('<this URL>')` loads it; the weights come from `weights.bin` beside it.",
  })
  @ApiOkResponse({ description: 'tfjs model.json' })
  @ApiNotFoundResponse({ description: 'No such model version' })
  async modelJson(
    @Param('name') name: string,
    @PositiveIntParam('version') version: number,
  ): Promise<object> {
    return modelJson((await this.load({ name, version })).artifacts);
  }

  @Get(':name/versions/:version/weights.bin')
  @Header('Content-Type', 'application/octet-stream')
  @ApiProduces('application/octet-stream')
  @ApiOperation({
    summary: "The version's weights, as model.json describes them",
  })
  @ApiOkResponse({ description: 'Raw little-endian weight values' })
  @ApiNotFoundResponse({ description: 'No such model version' })
  async weights(
    @Param('name') name: string,
    @PositiveIntParam('version') version: number,
  ): Promise<StreamableFile> {
    return new StreamableFile(
      weightsBin((await this.load({ name, version })).artifacts),
    );
  }

  /** The version with its weights, read from Kafka for this download. */
  private load(ref: ModelRef): Promise<ModelRecord> {
    this.find(ref);
    return this.registry.loadRecord(ref);
  }

  private find(ref: ModelRef): ModelSummary {
    const record = this.registry.find(ref);
    if (!record) {
      throw new NotFoundException(
        `model ${ref.name} version ${ref.version} not found`,
      );
    }
    return record;
  }
}
