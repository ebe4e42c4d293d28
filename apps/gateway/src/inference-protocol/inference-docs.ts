import { applyDecorators, HttpCode } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiGatewayTimeoutResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { InferenceRequestDto } from './dto/inference-request.dto.js';
import {
  InferenceErrorDto,
  InferenceResponseDto,
} from './dto/inference-response.dto.js';
import { ModelConfigDto } from './dto/model-config.dto.js';
import { ModelMetadataDto, ModelReadyDto } from './dto/model-metadata.dto.js';

/** The OpenAPI description of the protocol's model routes, each with and without a version. */
export const MetadataDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: "A model's metadata: its versions, inputs and outputs",
    }),
    ApiOkResponse({ type: ModelMetadataDto }),
  );

export const ReadyDocs = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Whether the model can be served: it is in the registry and Kafka is reachable',
    }),
    ApiOkResponse({ type: ModelReadyDto }),
    ApiServiceUnavailableResponse({ type: InferenceErrorDto }),
  );

export const ConfigDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: "Triton's model configuration, for the tools that read it",
    }),
    ApiOkResponse({ type: ModelConfigDto }),
  );

export const InferDocs = () =>
  applyDecorators(
    HttpCode(200),
    RateLimited(),
    ApiOperation({
      summary: 'Classify images given as tensors (Open Inference Protocol)',
      description:
        'One input: `images`, UINT8 (0 to 255) or FP32 (0 to 1) of shape [N, 28, 28] or [N, 784], ' +
        'light item on black as the model sees it; or `image_files`, BYTES [N] of image files ' +
        '(base64 in JSON), preprocessed as uploads to /v1/classifications are. Output ' +
        '`probabilities`, FP32 [N, 10]; with `parameters.classification: k`, BYTES [N, k] of ' +
        '"<score>:<index>:<label>". JSON, or the binary tensor data extension ' +
        '(Inference-Header-Content-Length, binary_data_size, binary_data_output, binary_data).',
    }),
    ApiConsumes('application/json', 'application/octet-stream'),
    ApiHeader({
      name: 'Inference-Header-Content-Length',
      required: false,
      description:
        'Binary tensor data extension: the length of the JSON header',
    }),
    ApiBody({ type: InferenceRequestDto }),
    ApiOkResponse({ type: InferenceResponseDto }),
    ApiPayloadTooLargeResponse({ type: InferenceErrorDto }),
    ApiUnsupportedMediaTypeResponse({
      type: InferenceErrorDto,
      description: 'A Content-Encoding the gateway cannot decode',
    }),
    ApiUnprocessableEntityResponse({
      type: InferenceErrorDto,
      description: 'A corrupt or truncated image file',
    }),
    ApiServiceUnavailableResponse({
      type: InferenceErrorDto,
      description:
        'At capacity or Kafka unreachable (with Retry-After), or no model trained yet',
    }),
    ApiGatewayTimeoutResponse({
      type: InferenceErrorDto,
      description: 'No classifier answered in time; retry',
    }),
  );
