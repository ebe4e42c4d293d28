import {
  Controller,
  Get,
  Headers,
  Param,
  Post,
  Req,
  Res,
  StreamableFile,
  UseFilters,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { isAcceptedRequestId, REQUEST_ID_HEADER } from '#platform';
import { AdmissionControlService } from '../admission/admission-control.service.js';
import {
  INFERENCE_HEADER_LENGTH,
  splitInferenceBody,
} from './binary-tensor-data.js';
import {
  InferenceErrorDto,
  InferenceResponseDto,
} from './dto/inference-response.dto.js';
import { ModelConfigDto } from './dto/model-config.dto.js';
import {
  ModelMetadataDto,
  ModelPathDto,
  ModelReadyDto,
  PinnedModelPathDto,
} from './dto/model-metadata.dto.js';
import {
  ConfigDocs,
  InferDocs,
  MetadataDocs,
  ReadyDocs,
} from './inference-docs.js';
import { InferenceErrorFilter } from './inference-error.filter.js';
import {
  InferenceProtocolService,
  type InferenceResult,
  type ModelPath,
} from './inference-protocol.service.js';
import {
  INPUTS,
  OUTPUTS,
  PLATFORM,
  tritonModelConfig,
} from './model-signature.js';
import { binaryOf } from './output-tensors.js';

@ApiTags('inference protocol (v2)')
@Controller('v2')
@UseFilters(InferenceErrorFilter)
@ApiBadRequestResponse({
  type: InferenceErrorDto,
  description:
    'A malformed request: version, JSON, tensor shape, datatype or byte count',
})
@ApiNotFoundResponse({
  type: InferenceErrorDto,
  description: 'No such model or version in the registry',
})
export class InferenceModelsController {
  constructor(
    private readonly inference: InferenceProtocolService,
    private readonly admission: AdmissionControlService,
  ) {}

  @Get('models/:name')
  @MetadataDocs()
  metadata(@Param() model: ModelPathDto): ModelMetadataDto {
    return this.describe(model);
  }

  @Get('models/:name/versions/:version')
  @MetadataDocs()
  versionMetadata(@Param() model: PinnedModelPathDto): ModelMetadataDto {
    return this.describe(model);
  }

  @Get('models/:name/ready')
  @ReadyDocs()
  ready(@Param() model: ModelPathDto): Promise<ModelReadyDto> {
    return this.readiness(model);
  }

  @Get('models/:name/versions/:version/ready')
  @ReadyDocs()
  versionReady(@Param() model: PinnedModelPathDto): Promise<ModelReadyDto> {
    return this.readiness(model);
  }

  @Get('models/:name/config')
  @ConfigDocs()
  config(@Param() model: ModelPathDto): ModelConfigDto {
    this.inference.versions(model);
    return tritonModelConfig(model.name, this.inference.maxImages);
  }

  @Get('models/:name/versions/:version/config')
  @ConfigDocs()
  versionConfig(@Param() model: PinnedModelPathDto): ModelConfigDto {
    return this.config(model);
  }

  @Post('models/:name/infer')
  @InferDocs()
  infer(
    @Param() model: ModelPathDto,
    @Headers(INFERENCE_HEADER_LENGTH) headerLength: string | undefined,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<InferenceResponseDto | StreamableFile> {
    return this.answer(model, headerLength, request, response);
  }

  @Post('models/:name/versions/:version/infer')
  @InferDocs()
  versionInfer(
    @Param() model: PinnedModelPathDto,
    @Headers(INFERENCE_HEADER_LENGTH) headerLength: string | undefined,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<InferenceResponseDto | StreamableFile> {
    return this.answer(model, headerLength, request, response);
  }

  private describe(model: ModelPath): ModelMetadataDto {
    return {
      name: model.name,
      versions: this.inference
        .versions(model)
        .map(({ version }) => String(version)),
      platform: PLATFORM,
      inputs: [...INPUTS],
      outputs: [...OUTPUTS],
    };
  }

  private async readiness(model: ModelPath): Promise<ModelReadyDto> {
    this.inference.versions(model);
    await this.inference.assertReady();
    return { name: model.name, ready: true };
  }

  private async answer(
    model: ModelPath,
    headerLength: string | undefined,
    request: Request,
    response: Response,
  ): Promise<InferenceResponseDto | StreamableFile> {
    this.inference.versions(model);
    const receivedAt = this.admission.receivedAt(request);
    const body = splitInferenceBody(bodyOf(request), headerLength);
    // The body is not needed past here: its tensors are copied into the images.
    request.body = undefined;
    const parsed = await this.inference.parseRequest(body);
    if (isAcceptedRequestId(parsed.id)) {
      request.id = parsed.id;
      response.setHeader(REQUEST_ID_HEADER, parsed.id);
    }
    const result = await this.inference.infer(
      model,
      parsed,
      body.binary,
      // Set by the logger's genReqId (requestIdOf), or just above: always a string.
      request.id as string,
      receivedAt,
    );
    return withBinaryOutputs(result, response);
  }
}

function bodyOf(request: Request): Buffer {
  const body: unknown = request.body;
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

/** JSON alone, or the JSON header followed by the outputs wanted as binary data. */
function withBinaryOutputs(
  { response, outputs }: InferenceResult,
  http: Response,
): InferenceResponseDto | StreamableFile {
  if (!outputs.some(({ binary }) => binary)) return response;
  const chunks: Buffer[] = [];
  const header: InferenceResponseDto = {
    ...response,
    outputs: outputs.map(({ tensor, binary }) => {
      if (!binary) return tensor;
      const bytes = binaryOf(tensor);
      chunks.push(bytes);
      const { data, ...described } = tensor;
      return { ...described, parameters: { binary_data_size: bytes.length } };
    }),
  };
  const json = Buffer.from(JSON.stringify(header));
  http.setHeader('Inference-Header-Content-Length', String(json.length));
  return new StreamableFile(Buffer.concat([json, ...chunks]), {
    type: 'application/octet-stream',
  });
}
