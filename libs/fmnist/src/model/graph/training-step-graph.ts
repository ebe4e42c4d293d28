import type * as tf from '@tensorflow/tfjs-node';
import { attr, GraphBuilder, type Attr } from './graph-builder.js';

/** The signature a training step graph is run under. */
export const TRAINING_STEP_SIGNATURE = 'train_step';

export interface AdamConstants {
  beta1: number;
  beta2: number;
  epsilon: number;
}

type LayerConfig = tf.serialization.ConfigDict;

/** How one layer's gradient is taken: from the gradient of its output, in the builder's graph. */
type Backward = (gradient: string) => string;

interface Forward {
  output: string;
  /** The gradient with respect to the layer's input, given the one of its output. */
  backward: Backward;
}

const NHWC = { data_format: attr.string('NHWC') };

function check(condition: boolean, layer: tf.layers.Layer, what: string) {
  if (!condition) {
    throw new Error(
      `the training graph has no ${what} (layer ${layer.name} of class ${layer.getClassName()})`,
    );
  }
}

/**
 * One training step of a sequential model as a TensorFlow graph: forward pass, softmax
 * cross-entropy on the (possibly smoothed) targets averaged over the batch, hand-written gradients
 * of each layer (TensorFlow's own gradient ops: `ReluGrad`, `MaxPoolGrad`, `Conv2DBackprop*`,
 * `BiasAddGrad`), and Adam on every weight as Keras computes it. The step is a pure function: it
 * takes the images `x`, the targets `y`, the step's bias-corrected `rate`, the weights `w<i>` (in
 * `model.getWeights()` order) and Adam's moments `m<i>`, `v<i>`, and returns the next ones under
 * the same names, with the batch's `loss` and `accuracy`.
 *
 * Layers: Conv2D (ReLU or linear, stride 1), MaxPooling2D, Flatten, Dropout, Dense (ReLU or linear,
 * softmax last). Anything else is refused with the layer named.
 */
export function trainingStepGraph(
  model: tf.LayersModel,
  adam: AdamConstants,
): Uint8Array {
  const graph = new GraphBuilder();
  const f = (
    type: string,
    inputs: string[],
    attrs: Record<string, Attr> = {},
  ) => graph.float(type, inputs, attrs);
  const inputShape = model.inputs[0].shape.map((size) => size ?? -1);
  const classes = model.outputs[0].shape[1] ?? -1;
  const x = graph.input('x', 'float32', inputShape);
  const y = graph.input('y', 'float32', [-1, classes]);
  const rate = graph.input('rate', 'float32', []);

  // Weight shapes are whole: only the batch dimension of activations is unknown.
  const shapes = model.weights.map((weight) => weight.shape as number[]);
  const w = shapes.map((shape, i) => graph.input(`w${i}`, 'float32', shape));
  /** Gradients by weight index, filled during the backward pass. */
  const gradients: string[] = [];
  let nextWeight = 0;

  const activation = (
    layer: tf.layers.Layer,
    value: string,
    allowSoftmax: boolean,
  ): Forward => {
    const name = layer.getConfig().activation as string | undefined;
    if (name === 'relu') {
      const output = f('Relu', [value]);
      return {
        output,
        backward: (gradient) => f('ReluGrad', [gradient, output]),
      };
    }
    check(
      name === 'linear' || (allowSoftmax && name === 'softmax'),
      layer,
      `activation ${name}`,
    );
    return { output: value, backward: (gradient) => gradient };
  };

  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const backwards: Backward[] = [];
  let current = x;
  layers.forEach((layer, index) => {
    const config: LayerConfig = layer.getConfig();
    const input = current;
    const isFirst = index === 0;
    const isLast = index === layers.length - 1;
    switch (layer.getClassName()) {
      case 'Conv2D': {
        check(
          JSON.stringify(config.strides) === '[1,1]' &&
            JSON.stringify(config.dilationRate) === '[1,1]' &&
            config.dataFormat === 'channelsLast' &&
            config.useBias === true,
          layer,
          'strides, dilations, channels-first data or convolutions without bias',
        );
        const [kernelIndex, biasIndex] = [nextWeight, nextWeight + 1];
        nextWeight += 2;
        const convAttrs = {
          ...NHWC,
          strides: attr.ints([1, 1, 1, 1]),
          dilations: attr.ints([1, 1, 1, 1]),
          padding: attr.string((config.padding as string).toUpperCase()),
          use_cudnn_on_gpu: attr.bool(true),
        };
        const convolved = f('Conv2D', [input, w[kernelIndex]], convAttrs);
        const biased = f('BiasAdd', [convolved, w[biasIndex]], NHWC);
        const act = activation(layer, biased, false);
        current = act.output;
        backwards.push((gradient) => {
          const g = act.backward(gradient);
          gradients[biasIndex] = f('BiasAddGrad', [g], NHWC);
          gradients[kernelIndex] = f(
            'Conv2DBackpropFilter',
            [input, graph.constant(shapes[kernelIndex], 'int32'), g],
            convAttrs,
          );
          return isFirst
            ? ''
            : f(
                'Conv2DBackpropInput',
                [shapeOf(input), w[kernelIndex], g],
                convAttrs,
              );
        });
        break;
      }
      case 'MaxPooling2D': {
        const [ph, pw] = config.poolSize as number[];
        const [sh, sw] = config.strides as number[];
        check(
          config.dataFormat === 'channelsLast',
          layer,
          'channels-first data',
        );
        const poolAttrs = {
          ...NHWC,
          ksize: attr.ints([1, ph, pw, 1]),
          strides: attr.ints([1, sh, sw, 1]),
          padding: attr.string((config.padding as string).toUpperCase()),
        };
        const pooled = f('MaxPool', [input], poolAttrs);
        current = pooled;
        backwards.push((gradient) =>
          f('MaxPoolGrad', [input, pooled, gradient], poolAttrs),
        );
        break;
      }
      case 'Flatten': {
        const inner = layer.outputShape[1] as number;
        const before = layers[index - 1]?.outputShape ?? model.inputs[0].shape;
        const unflattened = (before as (number | null)[]).map((s) => s ?? -1);
        current = reshape(input, [-1, inner]);
        backwards.push((gradient) => reshape(gradient, unflattened));
        break;
      }
      case 'Dropout': {
        const dropRate = config.rate as number;
        const uniform = graph.op('RandomUniform', [shapeOf(input)], {
          dtype: attr.type('float32'),
          T: attr.type('int32'),
          seed: attr.int(0),
          seed2: attr.int(0),
        });
        const kept = graph.op(
          'Cast',
          [f('GreaterEqual', [uniform, graph.constant(dropRate)])],
          {
            SrcT: attr.type('bool'),
            DstT: attr.type('float32'),
            Truncate: attr.bool(false),
          },
        );
        const mask = f('Mul', [kept, graph.constant(1 / (1 - dropRate))]);
        current = f('Mul', [input, mask]);
        backwards.push((gradient) => f('Mul', [gradient, mask]));
        break;
      }
      case 'Dense': {
        check(config.useBias === true, layer, 'dense layers without bias');
        const [kernelIndex, biasIndex] = [nextWeight, nextWeight + 1];
        nextWeight += 2;
        const product = f('MatMul', [input, w[kernelIndex]], {
          transpose_a: attr.bool(false),
          transpose_b: attr.bool(false),
        });
        const biased = f('BiasAdd', [product, w[biasIndex]], NHWC);
        const act = activation(layer, biased, isLast);
        current = act.output;
        backwards.push((gradient) => {
          const g = act.backward(gradient);
          gradients[biasIndex] = f('BiasAddGrad', [g], NHWC);
          gradients[kernelIndex] = f('MatMul', [input, g], {
            transpose_a: attr.bool(true),
            transpose_b: attr.bool(false),
          });
          return isFirst
            ? ''
            : f('MatMul', [g, w[kernelIndex]], {
                transpose_a: attr.bool(false),
                transpose_b: attr.bool(true),
              });
        });
        break;
      }
      default:
        check(false, layer, 'gradient for this layer');
    }
  });
  const last = layers[layers.length - 1];
  check(
    last?.getClassName() === 'Dense' &&
      last.getConfig().activation === 'softmax',
    last,
    'loss but for a softmax dense layer last',
  );
  check(
    nextWeight === shapes.length,
    last,
    'weights besides kernels and biases',
  );

  const logits = current;
  const crossEntropy = f('SoftmaxCrossEntropyWithLogits', [logits, y]);
  const perImage = `${crossEntropy}:0`;
  const batch = graph.op('Cast', [shapeOf(perImage)], {
    SrcT: attr.type('int32'),
    DstT: attr.type('float32'),
    Truncate: attr.bool(false),
  });
  const meanAxis0 = { keep_dims: attr.bool(false), Tidx: attr.type('int32') };
  const loss = f('Mean', [perImage, graph.constant([0], 'int32')], meanAxis0);
  let gradient = f('RealDiv', [`${crossEntropy}:1`, batch]);
  for (const backward of backwards.reverse()) gradient = backward(gradient);

  const argMax = (value: string) =>
    f('ArgMax', [value, graph.constant(1, 'int32')], {
      Tidx: attr.type('int32'),
      output_type: attr.type('int32'),
    });
  const hits = graph.op(
    'Cast',
    [
      graph.op('Equal', [argMax(logits), argMax(y)], {
        T: attr.type('int32'),
        incompatible_shape_error: attr.bool(true),
      }),
    ],
    {
      SrcT: attr.type('bool'),
      DstT: attr.type('float32'),
      Truncate: attr.bool(false),
    },
  );
  graph.output('loss', loss, 'float32', []);
  graph.output(
    'accuracy',
    f('Mean', [hits, graph.constant([0], 'int32')], meanAxis0),
    'float32',
    [],
  );

  const [beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon] = [
    adam.beta1,
    1 - adam.beta1,
    adam.beta2,
    1 - adam.beta2,
    adam.epsilon,
  ].map((value) => graph.constant(value));
  shapes.forEach((shape, i) => {
    const g = gradients[i];
    const m = graph.input(`m${i}`, 'float32', shape);
    const v = graph.input(`v${i}`, 'float32', shape);
    const nextM = f('AddV2', [
      f('Mul', [m, beta1]),
      f('Mul', [g, oneMinusBeta1]),
    ]);
    const nextV = f('AddV2', [
      f('Mul', [v, beta2]),
      f('Mul', [f('Square', [g]), oneMinusBeta2]),
    ]);
    const step = f('Mul', [
      rate,
      f('RealDiv', [nextM, f('AddV2', [f('Sqrt', [nextV]), epsilon])]),
    ]);
    graph.output(`w${i}`, f('Sub', [w[i], step]), 'float32', shape);
    graph.output(`m${i}`, nextM, 'float32', shape);
    graph.output(`v${i}`, nextV, 'float32', shape);
  });
  return graph.savedModel(TRAINING_STEP_SIGNATURE);

  function shapeOf(value: string) {
    return graph.op('Shape', [value], {
      T: attr.type('float32'),
      out_type: attr.type('int32'),
    });
  }

  function reshape(value: string, shape: number[]) {
    return graph.op('Reshape', [value, graph.constant(shape, 'int32')], {
      T: attr.type('float32'),
      Tshape: attr.type('int32'),
    });
  }
}
