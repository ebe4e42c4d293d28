import { BadRequestException } from '@nestjs/common';
import { LABELS, NUM_CLASSES } from '#fmnist';
import { packBytesElements } from './binary-tensor-data.js';
import type { InferenceRequestDto } from './dto/inference-request.dto.js';
import { Tensors } from './model-signature.js';

/** An output a request asks for, and how. */
export interface WantedOutput {
  readonly name: string;
  readonly binary: boolean;
  /** The classification extension: the top k classes instead of the probabilities. */
  readonly classification?: number;
}

export interface OutputTensor {
  readonly name: string;
  readonly datatype: 'FP32' | 'BYTES';
  readonly shape: number[];
  readonly data: number[] | string[];
}

/** The outputs a request wants; every output (binary if `binary_data_output`) when it names none. */
export function wantedOutputs(request: InferenceRequestDto): WantedOutput[] {
  const binaryByDefault = request.parameters?.binary_data_output ?? false;
  if (!request.outputs || request.outputs.length === 0) {
    return [{ name: Tensors.probabilities, binary: binaryByDefault }];
  }
  return request.outputs.map(({ name, parameters }) => {
    if (name !== Tensors.probabilities) {
      throw new BadRequestException(
        `unknown output '${name}': the model gives '${Tensors.probabilities}' (FP32, [N, 10])`,
      );
    }
    return {
      name,
      binary: parameters?.binary_data ?? binaryByDefault,
      classification: parameters?.classification,
    };
  });
}

/**
 * The probabilities of each image as the wanted output: FP32 [N, 10], or with the classification
 * extension BYTES [N, k] of "<score>:<index>:<label>", most probable first.
 */
export function probabilitiesOutput(
  probabilities: readonly (readonly number[])[],
  wanted: WantedOutput,
): OutputTensor {
  const k = wanted.classification;
  if (k === undefined) {
    return {
      name: wanted.name,
      datatype: 'FP32',
      shape: [probabilities.length, NUM_CLASSES],
      data: probabilities.flat(),
    };
  }
  return {
    name: wanted.name,
    datatype: 'BYTES',
    shape: [probabilities.length, k],
    data: probabilities.flatMap((classes) =>
      classes
        .map((score, index) => ({ score, index }))
        .sort((a, b) => b.score - a.score)
        .slice(0, k)
        .map(
          ({ score, index }) =>
            `${score.toFixed(6)}:${index}:${LABELS[index].name}`,
        ),
    ),
  };
}

/** An output's elements as the binary tensor data extension lays them out. */
export function binaryOf(output: OutputTensor): Buffer {
  if (output.datatype === 'BYTES') {
    return packBytesElements(
      (output.data as string[]).map((text) => Buffer.from(text, 'utf8')),
    );
  }
  const values = output.data as number[];
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes;
}
