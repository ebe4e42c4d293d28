import { IMAGE_SIZE, IMAGE_PIXELS, NUM_CLASSES } from '#fmnist';

/** The tensors every registered model takes and gives, as the Open Inference Protocol names them. */
export const Tensors = {
  /** 28x28 grayscale images, already the model's view (light item on black). */
  images: 'images',
  /** Encoded image files (PNG, JPEG, ...), preprocessed as uploads to /v1/classifications are. */
  imageFiles: 'image_files',
  /** The probability of each class, in label order. */
  probabilities: 'probabilities',
} as const;

/** What the protocol's metadata and Triton's model configuration say of one tensor. */
export interface TensorSignature {
  readonly name: string;
  readonly datatype: string;
  /** With the batch dimension first, -1: any number of images. */
  readonly shape: number[];
}

export const INPUTS: readonly TensorSignature[] = [
  {
    name: Tensors.images,
    datatype: 'UINT8',
    shape: [-1, IMAGE_SIZE, IMAGE_SIZE],
  },
  { name: Tensors.imageFiles, datatype: 'BYTES', shape: [-1] },
];

export const OUTPUTS: readonly TensorSignature[] = [
  { name: Tensors.probabilities, datatype: 'FP32', shape: [-1, NUM_CLASSES] },
];

/** The shapes an `images` tensor of N images may have: [N, 28, 28], [N, 784] or [N, 28, 28, 1]. */
export function isImagesShape(shape: readonly number[]): boolean {
  const [, ...image] = shape;
  const pixels = image.reduce((product, side) => product * side, 1);
  return (
    shape.length >= 2 &&
    pixels === IMAGE_PIXELS &&
    (image.length === 1 ||
      (image[0] === IMAGE_SIZE &&
        image[1] === IMAGE_SIZE &&
        (image.length === 2 || (image.length === 3 && image[2] === 1))))
  );
}

/** The platform the metadata names: what runs the models behind Kafka. */
export const PLATFORM = 'tensorflowjs_layers';

const TRITON_TYPES: Record<string, string> = {
  UINT8: 'TYPE_UINT8',
  FP32: 'TYPE_FP32',
  BYTES: 'TYPE_STRING',
};

/** Triton's configuration of a model: dims without the batch dimension, one input per request. */
export function tritonModelConfig(name: string, maxBatchSize: number) {
  const dims = ({ datatype, shape }: TensorSignature) => ({
    data_type: TRITON_TYPES[datatype],
    // Triton has no scalar dims: a batch of single elements is [1] reshaped to [].
    ...(shape.length === 1
      ? { dims: [1], reshape: { shape: [] } }
      : { dims: shape.slice(1) }),
  });
  return {
    name,
    platform: PLATFORM,
    max_batch_size: maxBatchSize,
    input: INPUTS.map((input) => ({
      name: input.name,
      ...dims(input),
      optional: true,
    })),
    output: OUTPUTS.map((output) => ({
      name: output.name,
      ...dims(output),
      label_filename: 'labels.txt',
    })),
    dynamic_batching: { max_queue_delay_microseconds: 0 },
  };
}
