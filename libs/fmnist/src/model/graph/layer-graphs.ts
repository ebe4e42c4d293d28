import type * as tf from '@tensorflow/tfjs-node';
import { attr, type GraphBuilder } from './graph-builder.js';

/** What one layer adds to a graph: its output, and how a gradient flows back through it (training). */
export interface LayerGraph {
  output: string;
  /**
   * Given the gradient of the loss with respect to the layer's output, adds the ops for the
   * gradients of its weights (into `LayerInputs.gradients`) and returns the one of its input.
   */
  backward(gradient: string): string;
}

export interface LayerInputs {
  graph: GraphBuilder;
  layer: tf.layers.Layer;
  input: string;
  /** The input's shape, -1 for the batch dimension. */
  inputShape: number[];
  /** The layer's weights as graph tensors, in `layer.weights` order. */
  weights: string[];
  weightShapes: number[][];
  /** Filled by `backward`: the gradient of each weight, same order. */
  gradients: string[];
  /** No gradient is wanted for the model's own input. */
  first: boolean;
  /** The last layer's softmax is left to the loss, which takes logits. */
  last: boolean;
}

const NHWC = { data_format: attr.string('NHWC') };

/** Throws an error naming the layer and what the graph lacks for it. */
function refuse(layer: tf.layers.Layer, what: string): never {
  throw new Error(
    `the graph has no ${what} (layer ${layer.name} of class ${layer.getClassName()})`,
  );
}

/** Refuses, naming the layer, what the graph does not do, unless `condition` holds. */
export function check(
  condition: boolean,
  layer: tf.layers.Layer,
  what: string,
) {
  if (!condition) refuse(layer, what);
}

/**
 * The forward and backward ops of one layer, with TensorFlow's own gradient ops (`ReluGrad`,
 * `MaxPoolGrad`, `Conv2DBackprop*`, `BiasAddGrad`). Layers: Conv2D (ReLU or linear, stride 1),
 * MaxPooling2D, Flatten, Dropout, Dense (ReLU or linear, softmax last).
 */
export function layerGraph(inputs: LayerInputs): LayerGraph {
  switch (inputs.layer.getClassName()) {
    case 'Conv2D':
      return convolution(inputs);
    case 'MaxPooling2D':
      return maxPooling(inputs);
    case 'Flatten':
      return flatten(inputs);
    case 'Dropout':
      return dropout(inputs);
    case 'Dense':
      return dense(inputs);
    default:
      return refuse(inputs.layer, 'gradient for this layer');
  }
}

function config(layer: tf.layers.Layer): tf.serialization.ConfigDict {
  return layer.getConfig();
}

/** The layer's activation after `value`: ReLU, or none (linear; softmax when it is the last). */
function activation(
  { graph, layer, last }: LayerInputs,
  value: string,
): LayerGraph {
  const name = config(layer).activation as string | undefined;
  if (name === 'relu') {
    const output = graph.float('Relu', [value]);
    return {
      output,
      backward: (gradient) => graph.float('ReluGrad', [gradient, output]),
    };
  }
  check(
    name === 'linear' || (last && name === 'softmax'),
    layer,
    `activation ${name}`,
  );
  return { output: value, backward: (gradient) => gradient };
}

function convolution(inputs: LayerInputs): LayerGraph {
  const { graph, layer, input, weights, weightShapes, gradients } = inputs;
  const settings = config(layer);
  check(
    JSON.stringify(settings.strides) === '[1,1]' &&
      JSON.stringify(settings.dilationRate) === '[1,1]' &&
      settings.dataFormat === 'channelsLast' &&
      settings.useBias === true,
    layer,
    'strides, dilations, channels-first data or convolutions without bias',
  );
  const [kernel, bias] = weights;
  const convAttrs = {
    ...NHWC,
    strides: attr.ints([1, 1, 1, 1]),
    dilations: attr.ints([1, 1, 1, 1]),
    padding: attr.string((settings.padding as string).toUpperCase()),
    use_cudnn_on_gpu: attr.bool(true),
  };
  const convolved = graph.float('Conv2D', [input, kernel], convAttrs);
  const act = activation(
    inputs,
    graph.float('BiasAdd', [convolved, bias], NHWC),
  );
  return {
    output: act.output,
    backward: (gradient) => {
      const g = act.backward(gradient);
      gradients[0] = graph.float(
        'Conv2DBackpropFilter',
        [input, graph.constant(weightShapes[0], 'int32'), g],
        convAttrs,
      );
      gradients[1] = graph.float('BiasAddGrad', [g], NHWC);
      return inputs.first
        ? ''
        : graph.float(
            'Conv2DBackpropInput',
            [graph.shape(input), kernel, g],
            convAttrs,
          );
    },
  };
}

function maxPooling({ graph, layer, input }: LayerInputs): LayerGraph {
  const settings = config(layer);
  check(settings.dataFormat === 'channelsLast', layer, 'channels-first data');
  const [ph, pw] = settings.poolSize as number[];
  const [sh, sw] = settings.strides as number[];
  const poolAttrs = {
    ...NHWC,
    ksize: attr.ints([1, ph, pw, 1]),
    strides: attr.ints([1, sh, sw, 1]),
    padding: attr.string((settings.padding as string).toUpperCase()),
  };
  const pooled = graph.float('MaxPool', [input], poolAttrs);
  return {
    output: pooled,
    backward: (gradient) =>
      graph.float('MaxPoolGrad', [input, pooled, gradient], poolAttrs),
  };
}

function flatten({ graph, layer, input, inputShape }: LayerInputs): LayerGraph {
  return {
    output: graph.reshape(input, [-1, layer.outputShape[1] as number]),
    backward: (gradient) => graph.reshape(gradient, inputShape),
  };
}

/** Inverted dropout as tfjs does it: kept units scaled by 1 / (1 - rate), a new mask each step. */
function dropout({ graph, layer, input }: LayerInputs): LayerGraph {
  const rate = config(layer).rate as number;
  const uniform = graph.op('RandomUniform', [graph.shape(input)], {
    dtype: attr.type('float32'),
    T: attr.type('int32'),
    seed: attr.int(0),
    seed2: attr.int(0),
  });
  const kept = graph.cast(
    graph.float('GreaterEqual', [uniform, graph.constant(rate)]),
    'bool',
    'float32',
  );
  const mask = graph.float('Mul', [kept, graph.constant(1 / (1 - rate))]);
  return {
    output: graph.float('Mul', [input, mask]),
    backward: (gradient) => graph.float('Mul', [gradient, mask]),
  };
}

function dense(inputs: LayerInputs): LayerGraph {
  const { graph, layer, input, weights, gradients } = inputs;
  check(config(layer).useBias === true, layer, 'dense layers without bias');
  const [kernel, bias] = weights;
  const matMul = (
    a: string,
    b: string,
    transposeA: boolean,
    transposeB: boolean,
  ) =>
    graph.float('MatMul', [a, b], {
      transpose_a: attr.bool(transposeA),
      transpose_b: attr.bool(transposeB),
    });
  const act = activation(
    inputs,
    graph.float('BiasAdd', [matMul(input, kernel, false, false), bias], NHWC),
  );
  return {
    output: act.output,
    backward: (gradient) => {
      const g = act.backward(gradient);
      gradients[0] = matMul(input, g, true, false);
      gradients[1] = graph.float('BiasAddGrad', [g], NHWC);
      return inputs.first ? '' : matMul(g, kernel, false, true);
    },
  };
}
