import {
  BadRequestException,
  Injectable,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { LABELS, type ModelSummary } from '#fmnist';
import { ModelRegistryService } from '#model-registry';
import { KafkaLivenessService } from '#platform';
import {
  ClassificationService,
  type PreparedImage,
} from '../classification/classification.service.js';
import type { GatewayEnvironment } from '../config/gateway.environment.js';
import { BinarySection, type InferenceBody } from './binary-tensor-data.js';
import { InferenceRequestDto } from './dto/inference-request.dto.js';
import type { InferenceResponseDto } from './dto/inference-response.dto.js';
import { decodeInput, type InputTensor } from './input-tensors.js';
import { Tensors } from './model-signature.js';
import {
  probabilitiesOutput,
  wantedOutputs,
  type OutputTensor,
} from './output-tensors.js';

/** A model as a protocol path names it: `{name}`, and `{version}` when pinned. */
export interface ModelPath {
  readonly name: string;
  readonly version?: string;
}

/** An answer: its JSON, and which outputs go as binary data after it. */
export interface InferenceResult {
  readonly response: InferenceResponseDto;
  readonly outputs: readonly { tensor: OutputTensor; binary: boolean }[];
}

const VERSION = /^[1-9]\d{0,15}$/;

/**
 * The Open Inference Protocol over the classification path of /v1/classifications: tensors are
 * checked and turned into 28x28 images (image files preprocessed as uploads are), sent through
 * Kafka by ClassificationService, and the replies turned back into tensors.
 */
@Injectable()
export class InferenceProtocolService {
  readonly maxImages: number;

  constructor(
    private readonly classifications: ClassificationService,
    private readonly registry: ModelRegistryService,
    private readonly kafka: KafkaLivenessService,
    config: ConfigService<GatewayEnvironment, true>,
  ) {
    this.maxImages = config.get('MAX_IMAGES_PER_UPLOAD', { infer: true });
  }

  /** The registry's versions of the model, the pinned one only when pinned; 404 for none. */
  versions({ name, version }: ModelPath): ModelSummary[] {
    const versions = this.registry
      .list()
      .filter((model) => model.name === name);
    if (versions.length === 0) {
      throw new NotFoundException(`unknown model '${name}'`);
    }
    if (version === undefined) return versions;
    if (!VERSION.test(version) || !Number.isSafeInteger(Number(version))) {
      throw new BadRequestException(
        `model version '${version}' is not a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`,
      );
    }
    const pinned = versions.filter(
      (model) => model.version === Number(version),
    );
    if (pinned.length === 0) {
      throw new NotFoundException(`model '${name}' has no version ${version}`);
    }
    return pinned;
  }

  /** Ready to serve: Kafka answers (the classifiers take requests from it). */
  async assertReady(): Promise<void> {
    const kafka = await this.kafka.current();
    if (!kafka.reachable) {
      throw new ServiceUnavailableException('Kafka is not reachable');
    }
  }

  async parseRequest(body: InferenceBody): Promise<InferenceRequestDto> {
    const { header } = body;
    if (
      typeof header !== 'object' ||
      header === null ||
      Array.isArray(header)
    ) {
      throw new BadRequestException(
        'the inference request must be a JSON object',
      );
    }
    const request = plainToInstance(InferenceRequestDto, header);
    const errors = await validate(request, { whitelist: true });
    if (errors.length > 0) {
      throw new BadRequestException(
        errors.flatMap((error) => describeValidationError(error)),
      );
    }
    return request;
  }

  /** Classifies the request's images with the model, which `versions` found in the registry. */
  async infer(
    model: ModelPath,
    request: InferenceRequestDto,
    binary: Buffer,
    requestId: string,
    receivedAt: number,
  ): Promise<InferenceResult> {
    const section = new BinarySection(binary);
    const inputs: InputTensor[] = request.inputs.map((input) => ({
      ...input,
      binary:
        input.parameters?.binary_data_size === undefined
          ? undefined
          : section.take(input.parameters.binary_data_size, input.name),
    }));
    section.assertUsedUp();
    if (inputs.length !== 1) {
      throw new BadRequestException(
        `send one input, '${Tensors.images}' or '${Tensors.imageFiles}', not ${inputs.length}`,
      );
    }
    const wanted = wantedOutputs(request);
    const input = decodeInput(inputs[0], this.maxImages);
    const images: PreparedImage[] =
      input.kind === 'pixels'
        ? input.images.map((pixels, index) => ({
            source: `${Tensors.images}[${index}]`,
            pixels,
          }))
        : await this.classifications.prepare(
            input.files.map((bytes, index) => ({
              source: `${Tensors.imageFiles}[${index}]`,
              bytes,
              declaredType: 'application/octet-stream',
            })),
            receivedAt,
          );
    const results = await this.classifications.classify(
      images,
      requestId,
      receivedAt,
      model.version === undefined
        ? model.name
        : `${model.name}:${model.version}`,
    );
    const probabilities = results.map((result) =>
      LABELS.map((label) => result.probabilities[label.name]),
    );
    const outputs = wanted.map((output) => ({
      tensor: probabilitiesOutput(probabilities, output),
      binary: output.binary,
    }));
    return {
      response: {
        model_name: results[0].model.name,
        model_version: String(results[0].model.version),
        ...(request.id === undefined ? {} : { id: request.id }),
        outputs: outputs.map(({ tensor }) => tensor),
      },
      outputs,
    };
  }
}

function describeValidationError(error: {
  property: string;
  constraints?: Record<string, string>;
  children?: (typeof error)[];
}): string[] {
  return [
    ...Object.values(error.constraints ?? {}),
    ...(error.children ?? []).flatMap((child) =>
      describeValidationError(child).map(
        (text) => `${error.property}: ${text}`,
      ),
    ),
  ];
}
